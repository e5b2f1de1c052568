//! Norms: `norm_0`, `norm_1v`, `norm_2v`, `norm_inf_v`, `norm_1m`, `norm_2m` (the largest
//! singular value), `norm_inf_m`, on inputs with separated maximisers and entries away from zero;
//! deterministic tests pin the subgradient conventions (the sign of zero, `‖0‖₂`, and ties,
//! where tied maximisers share the cotangent evenly — the `_ties_regression` cases).

use backprop_linalg::Backend;
use backprop_linalg::{
    R, eval_bp, grad_bp, norm_0, norm_1m, norm_1v, norm_2m, norm_2v, norm_inf_m, norm_inf_v,
};
use backprop_tests::gradcheck::{
    assert_entries, grad_ok, hvp_ok, lm, real, run, rv, separated_matrix, separated_singular,
    separated_vector, vector,
};
use typenum::{U2, U3, U4};

backprop_tests::cases! {
    fn norms_second_order<B: Backend>() {
        // The vector norms and the induced matrix norms 1 and ∞, squared and multiplied so that
        // their Hessians are not zero: ‖x‖₂'s curvature, and the piecewise-constant weights
        // of the others (zero second derivative almost everywhere) times a varying factor.
        run(separated_vector::<U4, B>(), |x| {
            hvp_ok(
                |x| {
                    let (a, b) = (super::norm_2v(x), super::norm_1v(x));
                    a * a.sin() + b * b + super::norm_inf_v(x) * a
                },
                &x,
            )
        });
        run(separated_matrix::<U3, U3, B>(), |a| {
            hvp_ok(
                |a| {
                    let one = super::norm_1m(a);
                    one * one + super::norm_inf_m(a) * backprop_linalg::sum_elements(a.sin())
                },
                &a,
            )
        });
    }
    fn norm_0<B: Backend>() {
        run(separated_vector::<U4, B>(), |x| grad_ok(super::norm_0, &x));
        let x = rv::<U3, B>(&[0.0, 2.0, -1.0]);
        assert_eq!(eval_bp(super::norm_0, &x), real::<B>(2.0));
    }
    fn norm_1v<B: Backend>() {
        run(separated_vector::<U4, B>(), |x| grad_ok(super::norm_1v, &x));
    }
    fn norm_1v_sign_of_zero<B: Backend>() {
        let x = rv::<U3, B>(&[0.0, 2.0, -1.0]);
        assert_entries(&grad_bp(super::norm_1v, &x).to_vec(), &[0.0, 1.0, -1.0]);
    }
    fn norm_2v<B: Backend>() {
        run(vector::<U4, B>(), |x| grad_ok(super::norm_2v, &x));
    }
    fn norm_2v_at_zero<B: Backend>() {
        let g = grad_bp(super::norm_2v, &R::<U3, B>::zeros());
        assert_entries(&g.to_vec(), &[0.0, 0.0, 0.0]);
    }
    fn norm_inf_v<B: Backend>() {
        run(separated_vector::<U4, B>(), |x| {
            grad_ok(super::norm_inf_v, &x)
        });
    }
    /// Regression: tied maximisers share the cotangent (hmatrix-backprop gives each the full
    /// `ȳ`).
    fn norm_inf_v_ties_regression<B: Backend>() {
        let x = rv::<U4, B>(&[3.0, -3.0, 1.0, 3.0]);
        let g = grad_bp(super::norm_inf_v, &x);
        let t = 1.0 / 3.0;
        assert_entries(&g.to_vec(), &[t, -t, 0.0, t]);
    }
    fn norm_1m_3x2<B: Backend>() {
        run(separated_matrix::<U3, U2, B>(), |a| {
            grad_ok(super::norm_1m, &a)
        });
    }
    fn norm_1m_3x4<B: Backend>() {
        run(separated_matrix::<U3, U4, B>(), |a| {
            grad_ok(super::norm_1m, &a)
        });
    }
    /// Regression: two columns tie for the largest absolute sum; each gets half of `ȳ`.
    fn norm_1m_ties_regression<B: Backend>() {
        let a = lm::<U2, U3, B>(2, 3, &[1.0, -2.0, 0.5, 2.0, 1.0, 0.0]);
        let g = grad_bp(super::norm_1m, &a);
        assert_entries(&g.to_row_major(), &[0.5, -0.5, 0.0, 0.5, 0.5, 0.0]);
    }
    fn norm_inf_m_3x2<B: Backend>() {
        run(separated_matrix::<U3, U2, B>(), |a| {
            grad_ok(super::norm_inf_m, &a)
        });
    }
    fn norm_inf_m_3x4<B: Backend>() {
        run(separated_matrix::<U3, U4, B>(), |a| {
            grad_ok(super::norm_inf_m, &a)
        });
    }
    /// Regression: two rows tie for the largest absolute sum; each gets half of `ȳ`.
    fn norm_inf_m_ties_regression<B: Backend>() {
        let a = lm::<U3, U2, B>(3, 2, &[1.0, -2.0, 0.5, 0.0, -2.5, 0.5]);
        let g = grad_bp(super::norm_inf_m, &a);
        assert_entries(&g.to_row_major(), &[0.5, -0.5, 0.0, 0.0, -0.5, 0.5]);
    }
    fn norm_2m_3x2<B: Backend>() {
        run(separated_singular::<U3, U2, B>(), |a| {
            grad_ok(super::norm_2m, &a)
        });
    }
    fn norm_2m_2x3<B: Backend>() {
        run(separated_singular::<U2, U3, B>(), |a| {
            grad_ok(super::norm_2m, &a)
        });
    }
    fn norm_2m_3x3<B: Backend>() {
        run(separated_singular::<U3, U3, B>(), |a| {
            grad_ok(super::norm_2m, &a)
        });
    }
}
