//! tokio's 1 ms sleep rounds up to the next tick; the timerfd wait and
//! sleep_until deadlines do not add a tick each time.

use std::time::Duration;

use lesson_10_cancellation::timer::measure;

#[test]
fn tokio_sleep_pays_an_extra_tick_and_the_others_do_not() {
    let rows = measure(100, Duration::from_millis(1)).unwrap();
    let mean = |way: &str| {
        rows.iter()
            .find(|w| w.way.split(' ').next() == Some(way))
            .unwrap()
            .mean
    };
    let sleep = mean("tokio::time::sleep");
    let until = mean("tokio::time::sleep_until(start");
    let timerfd = mean("timerfd");
    assert!(
        sleep >= Duration::from_micros(1_500),
        "tokio's 1 ms sleep took {sleep:?} on average"
    );
    assert!(
        until < Duration::from_micros(1_250),
        "sleep_until's mean period was {until:?}"
    );
    assert!(until >= Duration::from_millis(1));
    assert!(
        timerfd >= Duration::from_millis(1),
        "woke before the time asked: {timerfd:?}"
    );
    if cfg!(target_os = "linux") {
        assert!(
            timerfd < sleep,
            "the timerfd wait ({timerfd:?}) is no better than sleep ({sleep:?})"
        );
    }
}
