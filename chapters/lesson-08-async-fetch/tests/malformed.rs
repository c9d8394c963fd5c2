//! A server that answers with garbage instead of HTTP is reported as a
//! malformed response, not as a broken body; and a timeout that the client
//! itself set says so instead of "after 0 ms".

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use lesson_08_async_fetch::fetch::fetch;
use loopback_http::client::{ErrorKind, FetchError};

/// A one-connection server that reads the request and sends `answer`.
fn serve_once(answer: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/item/1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(answer);
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    url
}

#[test]
fn garbage_bytes_are_a_malformed_response() {
    let url = serve_once(b"this is not HTTP at all\r\n\r\n");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let err = rt.block_on(fetch(&client, &url, None)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err:?}");
    assert!(err.to_string().starts_with("not an HTTP answer"), "{err}");
    assert_eq!(err.kind().to_string(), "malformed response");
}

#[test]
fn the_clients_own_timeout_is_not_zero_ms() {
    let err = FetchError::Timeout(Duration::ZERO);
    assert_eq!(err.to_string(), "timed out (the client's own time limit)");
    let err = FetchError::Timeout(Duration::from_millis(250));
    assert_eq!(err.to_string(), "timed out after 250 ms");
}
