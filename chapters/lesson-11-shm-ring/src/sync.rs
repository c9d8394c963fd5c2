//! The ring's synchronisation primitives, from std or from the model checker.
//!
//! With the `model` feature, loom's types replace std's so that
//! `tests/model.rs` can explore every interleaving of the ring's protocol
//! (`cargo test --release -p lesson-11-shm-ring --features model --test model`).
//! The ring's code reads the same either way.

#[cfg(feature = "model")]
pub use std::sync::atomic::Ordering;
#[cfg(not(feature = "model"))]
pub use std::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};
#[cfg(feature = "model")]
pub use trace::{AtomicU32, AtomicU64, fence};

/// Gives an atomic a name for the model checker's trace (nothing in a normal build).
pub trait Named: Sized {
    fn named(self, _name: &'static str) -> Self {
        self
    }
}

#[cfg(not(feature = "model"))]
impl Named for AtomicU32 {}
#[cfg(not(feature = "model"))]
impl Named for AtomicU64 {}

#[cfg(feature = "model")]
pub use loom::hint::spin_loop;
#[cfg(not(feature = "model"))]
pub use std::hint::spin_loop;

/// Gives the other side a chance to run (`sched_yield`; under the model
/// checker, a point where it switches threads).
pub fn yield_now() {
    #[cfg(feature = "model")]
    loom::thread::yield_now();
    #[cfg(not(feature = "model"))]
    std::thread::yield_now();
}

/// A slot's bytes: written by one side, read by the other, never both at once
/// (the protocol's job). Under the model checker it is loom's `UnsafeCell`,
/// which reports two accesses not ordered by a happens-before edge.
#[cfg(feature = "model")]
pub use trace::UnsafeCell;

/// std's `UnsafeCell` with loom's `with` / `with_mut` interface.
#[cfg(not(feature = "model"))]
#[derive(Debug, Default)]
#[repr(transparent)]
pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(feature = "model"))]
impl<T> UnsafeCell<T> {
    pub fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

// ANCHOR: futex
/// A 32-bit word that a process can sleep on until another changes it:
/// Linux's futex. `wait(expected)` sleeps only if the word still holds
/// `expected` (the kernel checks and sleeps as one step, so a change made
/// just before is never missed); `wake_all()` wakes every sleeper. In shared
/// memory it works between processes: the kernel keys it by physical page.
#[cfg(not(feature = "model"))]
#[derive(Debug, Default)]
#[repr(transparent)]
pub struct Futex {
    pub word: AtomicU32,
}

#[cfg(not(feature = "model"))]
impl Futex {
    pub fn new(value: u32, _name: &'static str) -> Self {
        Futex {
            word: AtomicU32::new(value),
        }
    }

    /// Sleeps while the word is `expected`, at most `timeout` (then returns
    /// anyway, so the caller can check that the other side is still alive).
    pub fn wait(&self, expected: u32, timeout: std::time::Duration) {
        let ts = libc::timespec {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        // SAFETY: the word lives as long as `self`; FUTEX_WAIT only reads it.
        // Not FUTEX_PRIVATE_FLAG: the other side is another process.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.word.as_ptr(),
                libc::FUTEX_WAIT,
                expected,
                &ts as *const libc::timespec,
            );
        }
    }

    /// Wakes every process sleeping on the word.
    pub fn wake_all(&self) {
        // SAFETY: as above; FUTEX_WAKE does not touch the word.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.word.as_ptr(),
                libc::FUTEX_WAKE,
                i32::MAX,
            );
        }
    }
}
// ANCHOR_END: futex

/// The futex modelled for the checker: the check-and-sleep and the wake
/// each hold one lock, as the kernel's hash-bucket lock does.
#[cfg(feature = "model")]
#[derive(Debug)]
pub struct Futex {
    pub word: AtomicU32,
    lock: loom::sync::Mutex<()>,
    sleepers: loom::sync::Condvar,
}

#[cfg(feature = "model")]
impl Futex {
    pub fn new(value: u32, name: &'static str) -> Self {
        Futex {
            word: AtomicU32::new(value).named(name),
            lock: loom::sync::Mutex::new(()),
            sleepers: loom::sync::Condvar::new(),
        }
    }

    /// Sleeps while the word is `expected` (the timeout is not modelled: a
    /// sleeper nobody wakes is a deadlock the checker reports).
    #[track_caller]
    pub fn wait(&self, expected: u32, _timeout: std::time::Duration) {
        let guard = self.lock.lock().unwrap();
        if self.word.inner.load(Ordering::Relaxed) == expected {
            trace::note(format!(
                "futex_wait({}): still {expected}, sleeps",
                self.word.name
            ));
            drop(self.sleepers.wait(guard).unwrap());
            trace::note(format!("futex_wait({}): woken", self.word.name));
        } else {
            trace::note(format!("futex_wait({}): changed, returns", self.word.name));
        }
    }

    #[track_caller]
    pub fn wake_all(&self) {
        let _guard = self.lock.lock().unwrap();
        trace::note(format!("futex_wake({})", self.word.name));
        self.sleepers.notify_all();
    }
}

/// Under the model checker, every access to the ring's shared state is
/// noted (thread, source line, what, value) for the current execution, so a
/// test can print the interleaving of the one that failed.
#[cfg(feature = "model")]
pub mod trace {
    use std::panic::Location;
    use std::sync::Mutex;
    use std::sync::atomic::Ordering;

    static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn log() -> std::sync::MutexGuard<'static, Vec<String>> {
        LOG.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forget the steps noted so far: call at the start of each execution.
    pub fn clear() {
        log().clear();
    }

    /// The steps of the current (or last) execution.
    pub fn steps() -> Vec<String> {
        log().clone()
    }

    #[track_caller]
    pub(crate) fn note(what: String) {
        let at = Location::caller();
        let thread = loom::thread::current();
        let file = at.file().rsplit('/').next().unwrap_or(at.file());
        log().push(format!(
            "{:<9} {:<13} {what}",
            // The model tests run the consumer on the main thread.
            thread.name().unwrap_or("consumer"),
            format!("{file}:{}", at.line())
        ));
    }

    macro_rules! traced_atomic {
        ($name:ident, $int:ty) => {
            /// loom's atomic, with its accesses noted.
            #[derive(Debug)]
            pub struct $name {
                pub(crate) inner: loom::sync::atomic::$name,
                pub(crate) name: &'static str,
            }

            impl $name {
                pub fn new(value: $int) -> Self {
                    $name {
                        inner: loom::sync::atomic::$name::new(value),
                        name: "?",
                    }
                }

                #[track_caller]
                pub fn load(&self, order: Ordering) -> $int {
                    let v = self.inner.load(order);
                    note(format!("{}.load({order:?}) -> {v}", self.name));
                    v
                }

                #[track_caller]
                pub fn store(&self, value: $int, order: Ordering) {
                    self.inner.store(value, order);
                    note(format!("{}.store({value}, {order:?})", self.name));
                }

                #[track_caller]
                pub fn swap(&self, value: $int, order: Ordering) -> $int {
                    let v = self.inner.swap(value, order);
                    note(format!("{}.swap({value}, {order:?}) -> {v}", self.name));
                    v
                }
            }

            impl super::Named for $name {
                fn named(mut self, name: &'static str) -> Self {
                    self.name = name;
                    self
                }
            }
        };
    }

    traced_atomic!(AtomicU32, u32);
    traced_atomic!(AtomicU64, u64);

    #[track_caller]
    pub fn fence(order: Ordering) {
        loom::sync::atomic::fence(order);
        note(format!("fence({order:?})"));
    }

    /// loom's `UnsafeCell`, with its accesses noted.
    #[derive(Debug)]
    pub struct UnsafeCell<T> {
        inner: loom::cell::UnsafeCell<T>,
    }

    impl<T> UnsafeCell<T> {
        pub fn new(value: T) -> Self {
            UnsafeCell {
                inner: loom::cell::UnsafeCell::new(value),
            }
        }

        #[track_caller]
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            note("reads the slot".to_owned());
            self.inner.with(f)
        }

        #[track_caller]
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            note("writes the slot".to_owned());
            self.inner.with_mut(f)
        }
    }
}
