//! The names a crate's code uses from `std::sync` and `std::thread`, backed by
//! [loom](https://docs.rs/loom/0.7)'s model-checked types.
//!
//! A crate with a `model` feature imports `Mutex`, `Condvar`, atomics and
//! `thread` from here when the feature is on, and from std otherwise; its
//! code reads like plain std code either way. Loom runs a test body many
//! times, once per interleaving of its threads' synchronising operations, and
//! fails on the first interleaving that panics, deadlocks or leaks.
//!
//! Loom 0.7 has no `Condvar::wait_while`, `wait_timeout_while` or
//! `thread::scope`; this crate adds them on top of loom's primitives, in the
//! way std defines them (a `while` loop around `wait`; a scope that joins
//! every thread it spawned before returning), so code written for std runs
//! unchanged under the model checker. Loom has no clock: a timed wait here
//! never times out (it waits for a notification like `wait`).
//!
//! Use these types only inside `loom::model(|| ...)`: outside a model they
//! panic.

/// Loom itself.
pub use loom;

/// Preemptions per interleaving that [`model`] explores unless
/// `LOOM_MAX_PREEMPTIONS` says otherwise. Loom's own default is no bound
/// (every interleaving), which takes minutes for three threads around a
/// `Condvar`; bugs almost always need only one or two preemptions (the
/// CHESS result loom's documentation cites), and 2 keeps a test to seconds.
pub const DEFAULT_PREEMPTIONS: usize = 2;

/// `loom::model` with a preemption bound of [`DEFAULT_PREEMPTIONS`]: runs
/// `body` once per interleaving of the threads it spawns and panics on the
/// first one that fails (a panic, a deadlock, a leak).
///
/// Loom's environment variables apply: `LOOM_MAX_PREEMPTIONS=n` changes the
/// bound; `LOOM_CHECKPOINT_FILE=f` with `LOOM_CHECKPOINT_INTERVAL=1` records
/// the interleaving being run in `f` (so after a failure, `f` holds the
/// failing one), and a later run with the same file starts from it; with
/// `LOOM_LOG=trace` (and `LOOM_LOCATION=1`) every step of every thread is
/// printed, with its place in the source.
pub fn model<F>(body: F)
where
    F: Fn() + Sync + Send + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt;

    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(DEFAULT_PREEMPTIONS);
    // With LOOM_LOG, loom's trace goes to the test's output; without it,
    // to whatever `tracing` subscriber the caller set up (none: nowhere).
    let _log = std::env::var_os("LOOM_LOG").map(|_| {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("LOOM_LOG"))
            .with_test_writer()
            .without_time()
            .finish()
            .set_default()
    });
    builder.check(body);
}

/// `std::sync`'s names.
pub mod sync {
    pub use loom::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
    pub use std::sync::{LockResult, PoisonError, TryLockResult};

    /// `std::sync::atomic`, model-checked: loom explores which stores each
    /// load may see under the orderings given, not only interleavings.
    pub mod atomic {
        pub use loom::sync::atomic::*;
    }

    use std::time::Duration;

    /// `std::sync::Condvar` with its whole API.
    #[derive(Debug, Default)]
    pub struct Condvar(loom::sync::Condvar);

    /// Whether a timed wait timed out: under loom, never.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct WaitTimeoutResult(bool);

    impl WaitTimeoutResult {
        pub fn timed_out(&self) -> bool {
            self.0
        }
    }

    impl Condvar {
        pub fn new() -> Self {
            Condvar(loom::sync::Condvar::new())
        }

        #[track_caller]
        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
            self.0.wait(guard)
        }

        /// As std defines it: `while condition(&mut *guard) { guard = self.wait(guard)?; }`.
        #[track_caller]
        pub fn wait_while<'a, T, F>(
            &self,
            mut guard: MutexGuard<'a, T>,
            mut condition: F,
        ) -> LockResult<MutexGuard<'a, T>>
        where
            F: FnMut(&mut T) -> bool,
        {
            while condition(&mut *guard) {
                guard = self.0.wait(guard)?;
            }
            Ok(guard)
        }

        /// Waits for a notification; loom has no clock, so it never times out.
        #[track_caller]
        pub fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            _timeout: Duration,
        ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
            self.0
                .wait(guard)
                .map(|g| (g, WaitTimeoutResult(false)))
                .map_err(|e| PoisonError::new((e.into_inner(), WaitTimeoutResult(false))))
        }

        /// [`Condvar::wait_while`]; loom has no clock, so it never times out.
        #[track_caller]
        pub fn wait_timeout_while<'a, T, F>(
            &self,
            guard: MutexGuard<'a, T>,
            _timeout: Duration,
            condition: F,
        ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
        where
            F: FnMut(&mut T) -> bool,
        {
            self.wait_while(guard, condition)
                .map(|g| (g, WaitTimeoutResult(false)))
                .map_err(|e| PoisonError::new((e.into_inner(), WaitTimeoutResult(false))))
        }

        #[track_caller]
        pub fn notify_one(&self) {
            self.0.notify_one();
        }

        #[track_caller]
        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}

/// `std::thread`'s names, with `scope`.
pub mod thread {
    pub use loom::thread::{JoinHandle, Thread, current, park, spawn, yield_now};

    use std::marker::PhantomData;
    use std::sync::{Arc, Mutex, PoisonError};

    /// A handle's slot: the loom thread, until someone joins it.
    type Pending = Arc<Mutex<Option<JoinHandle<()>>>>;

    /// `std::thread::Scope`.
    #[derive(Debug)]
    pub struct Scope<'scope, 'env: 'scope> {
        // A std Mutex, not loom's: loom runs every model thread on one OS
        // thread and switches only at loom's own operations, so this lock is
        // never contended and adds no interleavings to explore.
        pending: Mutex<Vec<Pending>>,
        scope: PhantomData<&'scope mut &'scope ()>,
        env: PhantomData<&'env mut &'env ()>,
    }

    /// `std::thread::ScopedJoinHandle`.
    #[derive(Debug)]
    pub struct ScopedJoinHandle<'scope, T> {
        thread: Pending,
        result: Arc<Mutex<Option<T>>>,
        scope: PhantomData<&'scope ()>,
    }

    /// `std::thread::scope`: every thread spawned in it is joined before it
    /// returns, so the threads may borrow from the caller.
    pub fn scope<'env, F, T>(f: F) -> T
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
    {
        let scope = Scope {
            pending: Mutex::new(Vec::new()),
            scope: PhantomData,
            env: PhantomData,
        };
        // A panic here (an assertion, or loom reporting a deadlock) ends the
        // whole model run: loom tears every thread down and fails the test.
        let result = f(&scope);
        let mut panicked = false;
        loop {
            let pending =
                std::mem::take(&mut *scope.pending.lock().unwrap_or_else(PoisonError::into_inner));
            if pending.is_empty() {
                break;
            }
            for thread in pending {
                let handle = thread.lock().unwrap_or_else(PoisonError::into_inner).take();
                if let Some(handle) = handle {
                    panicked |= handle.join().is_err();
                }
            }
        }
        assert!(!panicked, "a scoped thread panicked");
        result
    }

    impl<'scope> Scope<'scope, '_> {
        /// `std::thread::Scope::spawn`.
        pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
        where
            F: FnOnce() -> T + Send + 'scope,
            T: Send + 'scope,
        {
            let result = Arc::new(Mutex::new(None));
            let slot = Arc::clone(&result);
            let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
                let value = f();
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
            });
            // SAFETY: `scope` joins this thread before it returns (the thread
            // is in `pending` until joined), so everything `body` borrows for
            // 'scope outlives the thread, as with std's scoped threads. If the
            // scope's body panics instead, loom ends the whole execution.
            let body: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(body) };
            let thread = Arc::new(Mutex::new(Some(spawn(body))));
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Arc::clone(&thread));
            ScopedJoinHandle {
                thread,
                result,
                scope: PhantomData,
            }
        }
    }

    impl<T> ScopedJoinHandle<'_, T> {
        /// `std::thread::ScopedJoinHandle::join`.
        pub fn join(self) -> std::thread::Result<T> {
            let handle = self
                .thread
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(handle) = handle {
                handle.join()?;
            }
            let value = self
                .result
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            Ok(value.expect("a joined thread that did not panic left its result"))
        }
    }
}
