//! Which threads faer may use for this backend's products and decompositions.
//!
//! The backend runs **sequentially** by default: the linear algebra of autodiff is mostly small
//! matrices, where threads cost more than they give, and the machine's cores may be busy with
//! other work. With the `rayon` cargo feature, [`set_parallelism`] lets faer split large
//! products and decompositions over rayon's thread pool.
//!
//! The setting belongs to this crate (and to `backprop-ndarray`, which routes through it); it
//! does not read or change faer's own global setting, so other faer users in the same program
//! are unaffected.

use core::sync::atomic::{AtomicUsize, Ordering};

use faer::Par;

/// How many threads the backend lets faer use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Parallelism {
    /// One thread, the caller's (the default).
    #[default]
    Sequential,
    /// Rayon's global pool with this many threads (`0`: as many as rayon has).
    #[cfg(feature = "rayon")]
    Rayon(usize),
}

/// 0: sequential; n + 1: rayon with n threads.
static SETTING: AtomicUsize = AtomicUsize::new(0);

/// Sets the parallelism of every later call into faer made by this backend, process-wide.
///
/// ```
/// use backprop_faer::{Parallelism, parallelism, set_parallelism};
/// set_parallelism(Parallelism::Sequential);
/// assert_eq!(parallelism(), Parallelism::Sequential);
/// ```
pub fn set_parallelism(p: Parallelism) {
    let code = match p {
        Parallelism::Sequential => 0,
        #[cfg(feature = "rayon")]
        Parallelism::Rayon(n) => n.saturating_add(1),
    };
    SETTING.store(code, Ordering::Relaxed);
}

/// The current setting (see [`set_parallelism`]).
#[must_use]
pub fn parallelism() -> Parallelism {
    match SETTING.load(Ordering::Relaxed) {
        #[cfg(feature = "rayon")]
        n if n > 0 => Parallelism::Rayon(n - 1),
        _ => Parallelism::Sequential,
    }
}

/// The current setting as faer's [`Par`].
#[must_use]
pub fn par() -> Par {
    match parallelism() {
        Parallelism::Sequential => Par::Seq,
        #[cfg(feature = "rayon")]
        Parallelism::Rayon(n) => Par::rayon(n),
    }
}
