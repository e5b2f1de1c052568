//! Matrix functions: `expm` on `‖A‖ ≤ 2` and, through scaling and squaring, `‖A‖ ≤ 8` (normal
//! and non-normal), `sqrtm` and `logm` on
//! `P·D·P⁻¹` with `cond(P) ≤ 10` and `Re λ ∈ [0.5, 3]`; values pinned, the identities
//! `exp(log A) = A` and `log(exp A) = A`, `logm` against `sym_log` on symmetric positive
//! definite input, and the errors where no principal real root or logarithm exists or the
//! input is singular.

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    Join, LinalgError, Sq, eval_bp, expm, grad_bp, logm, sqrtm, sum_elements, sym_log, trace,
    try_logm, try_sqrtm, un_sym,
};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_close, assert_fails, error_of, f64s, grad_ok, hvp_ok, jvp_ok, lm, naive_mul, norm_up_to,
    principal_root_input, principal_root_input_within, rounding_tolerance, run, same_as,
    small_norm, spd,
};
use typenum::{U2, U3, U4};

fn expm_case<B: Backend, N: StaticDim>() {
    run(small_norm::<N, B>(false), |a| grad_ok(expm, &a));
    run(small_norm::<N, B>(true), |a| grad_ok(expm, &a));
}

/// Norms up to 8: past θ (5.37 at degree 13, 3.93 at degree 7 in f32), so the Fréchet
/// derivative goes through the squaring phase (`L ← r·L + L·r`) one to three times.
fn expm_scaled_case<B: Backend, N: StaticDim>() {
    run(norm_up_to::<N, B>(false, 8.0), |a| grad_ok(expm, &a));
    run(norm_up_to::<N, B>(true, 8.0), |a| grad_ok(expm, &a));
}

fn sqrtm_case<B: Backend, N: StaticDim>() {
    run(principal_root_input::<N, B>(), |a| grad_ok(sqrtm, &a));
}

fn logm_case<B: Backend, N: StaticDim>() {
    run(principal_root_input::<N, B>(), |a| grad_ok(logm, &a));
}

backprop_tests::cases! {
    fn matrix_functions_second_order<B: Backend>() {
        // expm's recorded rule is its block form through expm at 2n×2n, logm's likewise
        // through logm, sqrtm's a recorded Sylvester solve: full Hessians and forward mode.
        run(small_norm::<U2, B>(true), |a| {
            hvp_ok(|a| sum_elements(expm(a).sin()), &a)?;
            jvp_ok(expm, &a)
        });
        run(principal_root_input_within::<U2, B>(3.0), |a| {
            hvp_ok(|a| sum_elements(sqrtm(a) * logm(a)) + trace(sqrtm(a)).sin(), &a)?;
            jvp_ok(|a| (sqrtm(a), logm(a)).join(), &a)
        });
    }
    fn expm_2x2<B: Backend>() {
        expm_case::<B, U2>();
    }
    fn expm_3x3<B: Backend>() {
        expm_case::<B, U3>();
    }
    fn expm_4x4<B: Backend>() {
        expm_case::<B, U4>();
    }
    fn expm_scaled_2x2<B: Backend>() {
        expm_scaled_case::<B, U2>();
    }
    fn expm_scaled_3x3<B: Backend>() {
        expm_scaled_case::<B, U3>();
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
    fn logm_2x2<B: Backend>() {
        logm_case::<B, U2>();
    }
    fn logm_3x3<B: Backend>() {
        logm_case::<B, U3>();
    }
    fn logm_4x4<B: Backend>() {
        logm_case::<B, U4>();
    }
    /// `exp(log A) = A` where the principal logarithm exists, and `log(exp A) = A` for
    /// `‖A‖_F ≤ 2` (eigenvalues' imaginary parts in `(−π, π)`, where `log` inverts `exp`).
    fn logm_inverts_expm<B: Backend>() {
        let tol = rounding_tolerance::<B::Real, B::Real>() * 10.0;
        run(principal_root_input::<U3, B>(), |a| {
            let back = eval_bp(|a| expm(logm(a)), &a).to_row_major();
            assert_close(&back, &f64s(&a.to_row_major()), tol * 10.0);
            Ok(())
        });
        run(small_norm::<U3, B>(true), |a| {
            let back = eval_bp(|a| logm(expm(a)), &a).to_row_major();
            assert_close(&back, &f64s(&a.to_row_major()), tol);
            Ok(())
        });
    }
    /// On symmetric positive definite input `logm` is `sym_log`: the same value, and the same
    /// gradient with respect to the symmetric input.
    fn logm_is_sym_log_on_spd<B: Backend>() {
        run(spd::<U3, B>(), |s| same_as(|s| logm(un_sym(s)), |s| un_sym(sym_log(s)), &s));
    }
    fn logm_values<B: Double>() {
        // A rotation by 2 rad (past the Padé radius: square roots are taken).
        let t = 2.0f64;
        let (c, s) = (t.cos(), t.sin());
        let a = Sq::<U2, B>::from_row_major(&[c, -s, s, c]);
        assert_close(&eval_bp(logm, &a).to_row_major(), &[0.0, -t, t, 0.0], 1e-13);
        // Upper triangular: log [[a, b], [0, d]] = [[ln a, b·(ln a − ln d)/(a − d)], [0, ln d]].
        let u = Sq::<U2, B>::from_row_major(&[100.0, 1.0, 0.0, 0.01]);
        let off = (100f64.ln() - 0.01f64.ln()) / (100.0 - 0.01);
        let want = [100f64.ln(), off, 0.0, 0.01f64.ln()];
        assert_close(&eval_bp(logm, &u).to_row_major(), &want, 1e-12);
        // ∂ tr(log A)/∂A = A⁻ᵀ, since tr L(A, E) = tr(A⁻¹·E).
        let b = Sq::<U2, B>::from_row_major(&[2.0, 1.0, 0.5, 3.0]);
        let g = grad_bp(|a| trace(logm(a)), &b).to_row_major();
        assert_close(&g, &[3.0 / 5.5, -0.5 / 5.5, -1.0 / 5.5, 2.0 / 5.5], 1e-13);
    }
    /// A negative or zero eigenvalue: no principal logarithm. Complex eigenvalues of negative
    /// real part are fine.
    fn logm_without_principal_logarithm_errors<B: Backend>() {
        let e = LinalgError::NoPrincipalLogarithm { op: "logm" };
        let negative = lm::<U2, U2, B>(2, 2, &[-1.0, 0.0, 0.0, 2.0]);
        assert_fails(&negative, &e, try_logm, logm);
        let singular = lm::<U2, U2, B>(2, 2, &[0.0, 0.0, 0.0, 1.0]);
        assert_fails(&singular, &e, try_logm, logm);
        // A rotation by π: eigenvalues −1, −1.
        let half_turn = lm::<U2, U2, B>(2, 2, &[-1.0, 0.0, 0.0, -1.0]);
        assert_fails(&half_turn, &e, try_logm, logm);
        // Eigenvalues −1 ± i/2: exp(log A) = A.
        let spiral = lm::<U2, U2, B>(2, 2, &[-1.0, 0.5, -0.5, -1.0]);
        let back = f64s(&eval_bp(|a| expm(logm(a)), &spiral).to_row_major());
        let tol = rounding_tolerance::<B::Real, B::Real>() * 10.0;
        assert_close(&back, &[-1.0, 0.5, -0.5, -1.0], tol);
        let nan = lm::<U2, U2, B>(2, 2, &[1.0, f64::NAN, 0.0, 1.0]);
        assert!(matches!(
            error_of(&nan, try_logm),
            Some(LinalgError::NonFinite { op: "logm" })
        ));
    }
}
