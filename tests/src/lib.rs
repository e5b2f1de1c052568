//! Shared test support for backprop-rs: the one list of backends every suite runs on
//! ([`for_each_backend!`]), the macros that turn generic cases into per-backend tests
//! ([`cases!`], [`families!`]), proptest generators of well-conditioned inputs, a small reference
//! dense matrix type with naive (triple-loop) operations to check backends against, and the
//! gradient-suite harness ([`gradcheck`], [`gauge`]).
//!
//! # The suites (`tests/tests/`)
//!
//! | binary | what it checks | a test's name |
//! |---|---|---|
//! | `gradients` (`gradients/main.rs`, one module per operation family) | every differentiable op's gradient against the core checker, regressions, error paths, robustness sweeps | `faer::svd::svd_3x2` |
//! | `backend_conformance` | each backend's primitives (factorizations, GEMM, errors) against naive references | `faer::lu_inverse_roundtrip` |
//! | `cross_backend` | every exported op gives the same value and gradient on every backend as on the reference (faer) | `agree::svd_` |
//! | `allocations` | the tape copies no value it only reads (a counting global allocator; one test) | `autodiff_allocates_what_the_hand_written_passes_do` |
//!
//! The gradient suite's families follow `backprop-linalg/src/ops/`: `products`, `structure`,
//! `maps`, `svd`, `eigen`, `cholesky`, `qr`, `solve`, `determinant`, `matrix_functions`,
//! `statistics`, `norms`, `complex`, and `robustness` (the bad-input sweeps across every op).
//!
//! Filters: `cargo test -p backprop-tests faer::` runs one backend, `faer::chol` the Cholesky
//! family on it (`faer::cholesky::…`), `svd::` one family on every backend, and a case's own
//! name (`mean_zero_entry_regression`) that case on every backend.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dense;
pub mod dynamic;
pub mod gauge;
pub mod generators;
pub mod gradcheck;

pub use dense::Dense;

/// A backend in double precision: what the `f64` suites run on (`Faer`, `Nalgebra`,
/// `Ndarray`). Their cases write `f64` literals; the single-precision family
/// (`gradients/single.rs`) names `Backend<Real = f32>` instead.
pub trait Double: backprop_linalg::Backend<Real = f64> {}
impl<B: backprop_linalg::Backend<Real = f64>> Double for B {}

/// A [`Double`] backend that also stores complex matrices.
pub trait ComplexDouble: backprop_linalg::ComplexBackend + Double {}
impl<B: backprop_linalg::ComplexBackend + Double> ComplexDouble for B {}

/// The backends every suite runs on, listed once: adding a backend here gives it the gradient,
/// conformance, agreement and allocation suites.
///
/// `for_each_backend!(callback)` (or `for_each_backend!(path::to::callback, args…)`) expands to
///
/// ```text
/// callback! { [args…] faer: Faer, nalgebra: Nalgebra, ndarray: Ndarray, }
/// ```
///
/// each backend as `module_name: Type`, the reference backend (faer, the one the agreement
/// suite compares the others with) first. The callback decides what to build from the list.
#[macro_export]
macro_rules! for_each_backend {
    ($($callback:ident)::+ $(, $($args:tt)*)?) => {
        $($callback)::+! {
            [$($($args)*)?]
            faer: ::backprop_linalg::backends::Faer,
            nalgebra: ::backprop_linalg::backends::Nalgebra,
            ndarray: ::backprop_linalg::backends::Ndarray,
        }
    };
}

/// A family's test cases, each named once: every `fn name<B: Bound>() { … }` becomes the
/// generic function `cases::name`, and the family's `instantiate!` macro (used by
/// [`families!`]) makes it a `#[test] fn name` per backend. The cases see the family module's
/// items (`use super::*`), so helpers live beside them in the family file.
///
/// ```text
/// backprop_tests::cases! {
///     /// `A·B` for a 3×2 times a 2×3.
///     fn mul_3x2_2x3<B: Backend>() { mul_case::<B, U3, U2, U3>(); }
///     fn values_are_send<B: Backend>() where R<U3, B>: Send { … }
/// }
/// ```
#[macro_export]
macro_rules! cases {
    ($(
        $(#[$attr:meta])*
        fn $case:ident<$B:ident: $bound:ident>()
        $(where $($wty:ty: $wb:ident $(+ $wbs:ident)*),+ $(,)?)?
        $body:block
    )*) => {
        /// The generic cases, instantiated once per backend by `instantiate!`.
        pub(crate) mod cases {
            #[allow(clippy::wildcard_imports)]
            use super::*;
            $(
                $(#[$attr])*
                pub fn $case<$B: $bound>() $(where $($wty: $wb $(+ $wbs)*),+)? $body
            )*
        }
        $crate::cases!(@instantiate ($) $($case $bound)*);
    };
    // `$d` is a `$`, so the generated macro can have metavariables of its own.
    (@instantiate ($d:tt) $($case:ident $bound:ident)*) => {
        /// `instantiate!(path::to::family, Backend)`: one `#[test]` per case on `Backend`.
        macro_rules! instantiate {
            ($d($d family:ident)::+, $d backend:ty) => {
                $(
                    #[test]
                    fn $case() {
                        $d($d family)::+::cases::$case::<$d backend>();
                    }
                )*
            };
        }
        /// `instantiate_any_precision!(path::to::family, Backend)`: the cases whose bound is
        /// `Backend` or `ComplexBackend` (generic over the precision), one `#[test]` each; the
        /// cases bound to `Double` or `ComplexDouble` are left out.
        macro_rules! instantiate_any_precision {
            ($d($d family:ident)::+, $d backend:ty, $d double:ty) => {
                $($crate::cases!(@if_any_precision $bound $case ($d($d family)::+) ($d backend) ($d double));)*
            };
        }
        pub(crate) use instantiate;
        pub(crate) use instantiate_any_precision;
    };
    (@if_any_precision Backend $case:ident ($($family:tt)*) ($backend:ty) ($double:ty)) => {
        #[test]
        fn $case() {
            $crate::gradcheck::double::with_double(
                $($family)*::cases::$case::<$backend>,
                $($family)*::cases::$case::<$double>,
            );
        }
    };
    (@if_any_precision ComplexBackend $case:ident ($($family:tt)*) ($backend:ty) ($double:ty)) => {
        $crate::cases!(@if_any_precision Backend $case ($($family)*) ($backend) ($double));
    };
    (@if_any_precision $other:ident $case:ident ($($family:tt)*) ($backend:ty) ($double:ty)) => {};
}

/// Instantiates a suite's families (modules of the crate root, each holding one [`cases!`]) on
/// every backend of [`for_each_backend!`]: the test `backend::family::case`, e.g.
/// `faer::svd::svd_3x2`. The modules are declared beside it as usual (so rustfmt sees them).
///
/// ```text
/// mod products;
/// mod svd;
/// backprop_tests::families!(products, svd);
/// ```
// `crate::family` is the suite's module, in the crate that calls the macro.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! families {
    ($($family:ident),* $(,)?) => {
        $crate::for_each_backend!($crate::families, @backends [$($family),*]);
    };
    ([@backends $families:tt] $($backend:ident: $ty:ty),* $(,)?) => {
        $($crate::families!(@backend $backend, $ty, $families);)*
    };
    (@backend $backend:ident, $ty:ty, [$($family:ident),*]) => {
        /// Every family's cases on this backend.
        mod $backend {
            $(
                mod $family {
                    crate::$family::instantiate!(crate::$family, $ty);
                }
            )*
        }
    };
}

/// Instantiates families on every backend of [`for_each_backend!`] in single precision
/// (`backprop_linalg::faer::Backend<f32>`, ...): the test `in_f32::backend::family::case`,
/// e.g. `in_f32::faer::svd::svd_3x2`. The families' cases must be generic over the precision
/// (bound `B: Backend`, not [`Double`]); the gradient checker takes its step and tolerance from
/// the precision of the values it is given. Each case then runs again on the backend in `f64`
/// with the same draws, and every gradient check's value and gradient in `f32` is compared with
/// `f64`'s at the same (rounded) input ([`gradcheck::double`]).
///
/// ```text
/// backprop_tests::families_in_f32!(products, svd);
/// ```
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! families_in_f32 {
    ($($family:ident),* $(,)?) => {
        /// Every family below, in single precision.
        mod in_f32 {
            $crate::for_each_backend!($crate::families_in_f32, @backends [$($family),*]);
        }
    };
    ([@backends $families:tt] $($backend:ident: $ty:ty),* $(,)?) => {
        $($crate::families_in_f32!(@backend $backend, $families);)*
    };
    (@backend $backend:ident, [$($family:ident),*]) => {
        /// Every family's cases on this backend, in `f32`.
        mod $backend {
            $(
                mod $family {
                    crate::$family::instantiate_any_precision!(
                        crate::$family,
                        ::backprop_linalg::$backend::Backend<f32>,
                        ::backprop_linalg::$backend::Backend<f64>
                    );
                }
            )*
        }
    };
}
