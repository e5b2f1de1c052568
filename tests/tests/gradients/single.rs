//! Single precision (`Faer<f32>`, `Nalgebra<f32>`, `Ndarray<f32>`): a case per op family,
//! each checked two ways on every backend.
//!
//! 1. **Against central differences in `f32`**: the core checker with
//!    [`CheckConfig::for_epsilon`]`(f32::EPSILON)`: step `ε^{1/3}` ≈ 4.9e-3 (it balances the
//!    rounding error `ε·|f|/h` of a difference quotient against its truncation error
//!    `h²·|f'''|`) refined by one Richardson step, a noise floor of the refined quotient's
//!    rounding error, and relative tolerance `ε^{1/3}`.
//! 2. **Against `f64`**: the value and the gradient (all-ones cotangent) of the same function
//!    on the same input, rounded to `f32` and widened back exactly, computed in double
//!    precision. A backward-stable computation in `f32` is off by about `c·n·κ·ε` relative; the
//!    inputs are drawn with condition numbers `κ ≤ 10` and sizes `n ≤ 4`, so [`double::AGREE`] =
//!    `1e-3` (≈ 8400·ε) leaves `c` room for the several steps (factorization, solves, products)
//!    of a gradient.
//!
//! A case is written once as `|v| body` and expanded for both precisions by [`single!`]; the
//! three backends come from `backprop_tests::for_each_backend!`, each in single precision
//! (`backprop_linalg::faer::Backend<f32>`) beside its double-precision self.

use backprop_core::check::{CheckConfig, check_gradient_with};
use backprop_core::{Coords, Join, backprop};
use backprop_linalg::{
    BVar, Backend, ComplexBackend, Convert, L, LinalgError, M, Matrix, R, Sym, affine, app, chol,
    chol_solve, convert, cov, det, eigenvalues, expm, inv, lin_solve, lndet, mean_l, mul, mul_c,
    norm_2v, qr, sqrtm, sum_elements, svd, try_chol, try_inv, try_mul,
};
use backprop_tests::gradcheck::{
    complex_matrix, double, error_of, hvp_ok, invertible, jvp_ok, matrix, principal_root_input,
    run, separated_singular, small_norm, spd, sym_separated, vector,
};
use backprop_tests::{ComplexDouble, Double};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use typenum::{U2, U3, U4};

/// `x` rounded to single precision (`U`) and that, widened back exactly: the `f64` input of
/// the comparison.
fn rounded<T: Convert<U>, U: Convert<T>>(x: &T) -> (U, T) {
    let single: U = x.convert();
    let back = single.convert();
    (single, back)
}

/// `|a − b|∞ ≤ AGREE·max(1, |b|∞)`, coordinate lists of an `f32` and an `f64` result (the
/// suite's shared comparison, [`double::agree`]).
fn agree(what: &str, a: &[f64], b: &[f64]) -> Result<(), TestCaseError> {
    double::agree(what, a, b).map_err(TestCaseError::fail)
}

/// The two checks of the module documentation on `x32` (and its widened twin `x64`), for the
/// function written once as `|v| body`.
macro_rules! both {
    ($x32:expr, $x64:expr, |$v:ident| $body:expr) => {{
        let f32_eps = f64::from(f32::EPSILON);
        let config = CheckConfig::for_epsilon(f32_eps);
        let report = check_gradient_with(&config, |$v| $body, $x32);
        prop_assert!(
            report.passes(CheckConfig::tolerance_for_epsilon(f32_eps)),
            "f32 central differences: {}",
            report
        );
        let (y32, g32) = backprop(|$v| $body, $x32);
        let (y64, g64) = backprop(|$v| $body, $x64);
        agree("value", &y32.to_coords(), &y64.to_coords())?;
        agree("gradient", &g32.to_coords(), &g64.to_coords())?;
    }};
}

/// A single-precision case: `name: Type32 = strategy (of f64 values), |v| body`. `Type32`
/// names the input in `B32` (the strategy draws it in `B64`, then it is rounded).
macro_rules! single {
    ($(
        $(#[$attr:meta])*
        fn $name:ident<$b32:ident: $bound:path, $b64:ident: $bound64:path>: $ty:ty = $strategy:expr, |$v:ident| $body:expr;
    )*) => {
        /// The cases, generic over the two backends.
        mod cases {
            #[allow(clippy::wildcard_imports)]
            use super::*;
            $(
                $(#[$attr])*
                pub fn $name<$b32: $bound, $b64: $bound64>() {
                    run($strategy, |x| {
                        let (x32, x64): ($ty, _) = rounded(&x);
                        both!(&x32, &x64, |$v| $body);
                        Ok(())
                    });
                }
            )*
        }
        single!(@instantiate ($) $($name)*);
    };
    // `$d` is a `$`, so the generated macro can have metavariables of its own.
    (@instantiate ($d:tt) $($name:ident)*) => {
        /// `instantiate!(module: Backend32, Backend64)`: the cases as tests.
        macro_rules! instantiate {
            ($d module:ident: $d b32:ty, $d b64:ty) => {
                mod $d module {
                    $(
                        #[test]
                        fn $name() {
                            super::cases::$name::<$d b32, $d b64>();
                        }
                    )*
                }
            };
        }
    };
}

single! {
    fn mul_3x2_2x3<B32: Backend<Real = f32>, B64: Double>:
        (L<U3, U2, B32>, L<U2, U3, B32>) = (matrix::<U3, U2, B64>(), matrix::<U2, U3, B64>()),
        |v| { let (a, b) = v.split(); mul(a, b) };
    fn app_and_affine_3x4<B32: Backend<Real = f32>, B64: Double>:
        (L<U3, U4, B32>, R<U4, B32>, R<U3, B32>) =
            (matrix::<U3, U4, B64>(), vector::<U4, B64>(), vector::<U3, B64>()),
        |v| { let (w, x, b) = v.split(); affine(w, x, b) * app(w, x).logistic() };
    fn chol_and_solve_3<B32: Backend<Real = f32>, B64: Double>:
        (Sym<U3, B32>, L<U3, U2, B32>) = (spd::<U3, B64>(), matrix::<U3, U2, B64>()),
        |v| { let (a, b) = v.split(); chol_solve(chol(a), b) };
    fn lin_solve_inv_det_3<B32: Backend<Real = f32>, B64: Double>:
        (L<U3, U3, B32>, L<U3, U2, B32>) = (invertible::<U3, B64>(), matrix::<U3, U2, B64>()),
        |v| { let (a, b) = v.split(); (lin_solve(a, b), inv(a), det(a), lndet(a)).join() };
    /// Full column rank and well conditioned (singular values ≥ 0.5): entries drawn in
    /// [−2, 2] can come near rank 2, where `R⁻¹` in the rule amplifies the `f32` step's error.
    fn qr_4x3<B32: Backend<Real = f32>, B64: Double>:
        L<U4, U3, B32> = separated_singular::<U4, U3, B64>(),
        |a| qr(a);
    /// Singular values and eigenvalues drawn apart (the `f32` step, about 1e-2 here, must
    /// not cross a near-tie, where they are not differentiable).
    fn svd_values_and_eigenvalues_3<B32: Backend<Real = f32>, B64: Double>:
        (L<U3, U3, B32>, Sym<U3, B32>) =
            (separated_singular::<U3, U3, B64>(), sym_separated::<U3, B64>()),
        |v| { let (a, s) = v.split(); svd(a) + eigenvalues(s) };
    fn expm_3<B32: Backend<Real = f32>, B64: Double>:
        L<U3, U3, B32> = small_norm::<U3, B64>(true),
        |a| expm(a);
    fn sqrtm_3<B32: Backend<Real = f32>, B64: Double>:
        L<U3, U3, B32> = principal_root_input::<U3, B64>(),
        |a| sqrtm(a);
    fn statistics_and_norms_4x3<B32: Backend<Real = f32>, B64: Double>:
        L<U4, U3, B32> = matrix::<U4, U3, B64>(),
        |x| (cov(x), norm_2v(mean_l(x))).join();
    fn complex_product_2x3<B32: ComplexBackend<Real = f32>, B64: ComplexDouble>:
        (M<U2, U3, B32>, M<U3, U2, B32>) =
            (complex_matrix::<U2, U3, B64>(), complex_matrix::<U3, U2, B64>()),
        |v| { let (a, b) = v.split(); mul_c(a, b) };
}

/// Every case on every backend in single precision, beside the same backend in double.
macro_rules! on_every_backend {
    ([] $($backend:ident: $ty:ty),* $(,)?) => {
        $(instantiate!($backend: backprop_linalg::$backend::Backend<f32>, $ty);)*
        /// `convert` to the second order, on every backend.
        mod convert_second_order {
            $(
                #[test]
                fn $backend() {
                    super::convert_second_order::<backprop_linalg::$backend::Backend<f32>, $ty>();
                }
            )*
        }
        /// Bad input in single precision fails as in double precision, on every backend.
        mod errors {
            $(
                #[test]
                fn $backend() {
                    super::errors::<backprop_linalg::$backend::Backend<f32>>();
                }
            )*
        }
    };
}
backprop_tests::for_each_backend!(on_every_backend);

/// `convert` is a linear map recorded with its adjoint (the conversion back): a loss of an `f32`
/// input computed partly in `f64` (widening is exact), its full Hessian and forward mode.
fn convert_second_order<B32: Backend<Real = f32>, B64: Double>() {
    run(matrix::<U3, U2, B64>(), |x| {
        let (x32, _): (L<U3, U2, B32>, _) = rounded(&x);
        hvp_ok(widened::<B32, B64>, &x32)?;
        jvp_ok(widened::<B32, B64>, &x32)
    });
}

/// A loss of an `f32` matrix computed partly in `f64` (see [`convert_second_order`]).
fn widened<'t, B32: Backend<Real = f32>, B64: Double>(
    a: BVar<'t, L<U3, U2, B32>>,
) -> BVar<'t, f64> {
    let wide: BVar<'t, L<U3, U2, B64>> = convert(a);
    let back: BVar<'t, L<U3, U2, B32>> = convert(wide.sin());
    let mixed: BVar<'t, L<U3, U2, B64>> = convert(back * a);
    sum_elements(wide.cos() * wide) + sum_elements(mixed)
}

/// Not positive definite, singular, NaN and mismatched shapes, in `f32`: the same errors as in
/// `f64`.
fn errors<B: Backend<Real = f32>>() {
    let indefinite = Sym::<U2, B>::from_fn(|i, j| [[1.0, 2.0], [2.0, 1.0]][i][j]);
    assert_eq!(
        error_of(&indefinite, try_chol),
        Some(LinalgError::NotPositiveDefinite { op: "chol" })
    );
    let singular = L::<U2, U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
    assert!(matches!(
        error_of(&singular, try_inv),
        Some(LinalgError::Singular { op: "inv", .. })
    ));
    let nan = Sym::<U2, B>::from_fn(|i, j| if i == j { f32::NAN } else { 0.0 });
    assert!(matches!(
        error_of(&nan, try_chol),
        Some(LinalgError::NonFinite { op: "chol", .. })
    ));
    let pair: (Matrix<B>, Matrix<B>) = (L::zeros_shape(2, 3), L::zeros_shape(2, 3));
    let err = error_of(&pair, |v| {
        let (a, b) = v.split();
        try_mul(a, b)
    });
    assert!(matches!(
        err,
        Some(LinalgError::ShapeMismatch { op: "mul", .. })
    ));
}
