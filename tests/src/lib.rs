//! Shared test support for backprop-rs: proptest generators of well-conditioned inputs, a
//! small reference dense matrix type with naive (triple-loop) operations to check backends
//! against, and the gradient-suite harness ([`gradcheck`]).
//!
//! The test suites live in `tests/`; this library holds what they share.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dense;
pub mod generators;
pub mod gradcheck;

pub use dense::Dense;

/// Instantiates a suite file's generic cases (`cases::name::<B>()`) once per backend, in
/// modules named after it, so the tests read `faer::name`, `nalgebra::name`, `ndarray::name`.
/// A backend added later gets every suite by one more line here.
///
/// ```text
/// mod cases {
///     pub fn mul_3x2_2x3<B: backprop_linalg::Backend>() { /* ... */ }
/// }
/// backprop_tests::per_backend!(mul_3x2_2x3);
/// ```
#[macro_export]
macro_rules! per_backend {
    ($($case:ident),* $(,)?) => {
        $crate::per_backend!(@backend faer, ::backprop_linalg::backends::Faer; $($case),*);
        $crate::per_backend!(@backend nalgebra, ::backprop_linalg::backends::Nalgebra; $($case),*);
        $crate::per_backend!(@backend ndarray, ::backprop_linalg::backends::Ndarray; $($case),*);
    };
    (@backend $module:ident, $backend:ty; $($case:ident),*) => {
        mod $module {
            $(
                #[test]
                fn $case() {
                    super::cases::$case::<$backend>();
                }
            )*
        }
    };
}
