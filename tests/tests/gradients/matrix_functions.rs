//! Matrix functions: `expm` on `‖A‖ ≤ 2` (normal and non-normal), `sqrtm` on `P·D·P⁻¹` with
//! `cond(P) ≤ 10` and `Re λ ∈ [0.5, 3]`; values pinned, and the errors where no principal real
//! root exists or the input is singular.

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{LinalgError, Sq, eval_bp, expm, grad_bp, sqrtm, trace, try_sqrtm};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_close, assert_fails, f64s, grad_ok, lm, naive_mul, principal_root_input,
    rounding_tolerance, run, small_norm,
};
use typenum::{U2, U3, U4};

fn expm_case<B: Backend, N: StaticDim>() {
    run(small_norm::<N, B>(false), |a| grad_ok(expm, &a));
    run(small_norm::<N, B>(true), |a| grad_ok(expm, &a));
}

fn sqrtm_case<B: Backend, N: StaticDim>() {
    run(principal_root_input::<N, B>(), |a| grad_ok(sqrtm, &a));
}

backprop_tests::cases! {
    fn expm_2x2<B: Backend>() {
        expm_case::<B, U2>();
    }
    fn expm_3x3<B: Backend>() {
        expm_case::<B, U3>();
    }
    fn expm_4x4<B: Backend>() {
        expm_case::<B, U4>();
    }
    fn expm_values<B: Double>() {
        // Nilpotent: exp(N) = I + N.
        let n = Sq::<U2, B>::from_row_major(&[0.0, 1.0, 0.0, 0.0]);
        assert_close(
            &eval_bp(expm, &n).to_row_major(),
            &[1.0, 1.0, 0.0, 1.0],
            1e-15,
        );
        // A rotation generator of norm 10, past θ₁₃: scaling and squaring is exercised.
        let t = 10.0f64;
        let a = Sq::<U2, B>::from_row_major(&[0.0, t, -t, 0.0]);
        let (c, s) = (t.cos(), t.sin());
        assert_close(&eval_bp(expm, &a).to_row_major(), &[c, s, -s, c], 1e-13);
        // ∂ tr(exp(A))/∂A = exp(A)ᵀ, since tr L(A, E) = tr(exp(A)·E).
        let g = grad_bp(|a| trace(expm(a)), &a).to_row_major();
        assert_close(&g, &[c, -s, s, c], 1e-12);
    }
    fn sqrtm_2x2<B: Backend>() {
        sqrtm_case::<B, U2>();
    }
    fn sqrtm_3x3<B: Backend>() {
        sqrtm_case::<B, U3>();
    }
    fn sqrtm_4x4<B: Backend>() {
        sqrtm_case::<B, U4>();
    }
    fn sqrtm_values<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[4.0, 1.0, 0.0, 9.0]);
        assert_close(
            &eval_bp(sqrtm, &a).to_row_major(),
            &[2.0, 0.2, 0.0, 3.0],
            1e-14,
        );
        // Complex eigenvalues 1 ± i: the principal root is real.
        let a = Sq::<U2, B>::from_row_major(&[1.0, -1.0, 1.0, 1.0]);
        let y = eval_bp(sqrtm, &a).to_row_major();
        assert_close(&naive_mul(&y, &y, 2, 2, 2), &a.to_row_major(), 1e-14);
        assert!(y[0] + y[3] > 0.0);
    }
    /// A negative eigenvalue: no principal real square root, the iteration does not converge.
    /// A zero eigenvalue: singular. Complex eigenvalues of negative real part are fine.
    fn sqrtm_without_principal_root_errors<B: Backend>() {
        let negative = lm::<U2, U2, B>(2, 2, &[-1.0, 0.0, 0.0, 2.0]);
        let e = LinalgError::NoConvergence { op: "sqrtm" };
        assert_fails(&negative, &e, try_sqrtm, sqrtm);
        // Eigenvalues −1 ± i/2: off the negative real axis, so the principal root exists.
        let spiral = lm::<U2, U2, B>(2, 2, &[-1.0, 0.5, -0.5, -1.0]);
        let y = f64s(&eval_bp(sqrtm, &spiral).to_row_major());
        let tol = rounding_tolerance::<B::Real, B::Real>();
        assert_close(&naive_mul(&y, &y, 2, 2, 2), &[-1.0, 0.5, -0.5, -1.0], tol);
        let singular = lm::<U2, U2, B>(2, 2, &[0.0, 0.0, 0.0, 1.0]);
        let e = LinalgError::Singular { op: "sqrtm" };
        assert_fails(&singular, &e, try_sqrtm, sqrtm);
    }
}
