//! Determinants and inverses: `det` (regression: at a singular matrix its gradient is the
//! cofactor matrix, finite), `inv` on general invertible matrices (regression: hmatrix-backprop
//! tested only SPD ones), `lndet`, `invlndet` and `slogdet`; the errors of singular inputs.

use backprop_linalg::Backend;
use backprop_linalg::{
    LinalgError, Sq, det, eval_bp, grad_bp, inv, invlndet, lndet, slogdet, try_inv, try_invlndet,
    try_lndet,
};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_entries, assert_fails, expect_panic, grad_ok, hvp_ok, invertible, jvp_ok, lm, run,
    singular,
};
use typenum::{U2, U3, U4};

backprop_tests::cases! {
    fn inverse_and_log_determinant_second_order<B: Backend>() {
        // inv, lndet, slogdet and invlndet, their full Hessians (the log-determinant's through
        // the inverse it reads).
        run(invertible::<U3, B>(), |a| {
            hvp_ok(
                |a| {
                    let (i2, ls) = invlndet(a).split();
                    let (l, _) = ls.split();
                    let (s, _) = slogdet(a).split();
                    backprop_linalg::sum_elements(inv(a).sin() + i2) + lndet(a) * l + s
                },
                &a,
            )
        });
        run(invertible::<U2, B>(), |a| jvp_ok(inv, &a));
    }
    fn det_second_order<B: Backend>() {
        // det's rule reads the cofactor matrix, recorded with its own rule.
        run(invertible::<U3, B>(), |a| {
            hvp_ok(|a| det(a) * det(a) + det(a).sin() + det(inv(a)), &a)?;
            jvp_ok(det, &a)
        });
    }
    /// At a singular matrix the first order holds (the cofactor matrix), and the second order
    /// panics with a message: never a NaN.
    fn det_second_order_singular<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
        let v = Sq::<U2, B>::from_row_major(&[1.0, 0.0, 0.0, 1.0]);
        let message = expect_panic(|| {
            backprop_linalg::hvp(det, &a, &v);
        });
        assert!(
            message.contains("det: the second order is implemented for invertible matrices only"),
            "{message}"
        );
    }
    fn det_2x2<B: Backend>() {
        run(invertible::<U2, B>(), |a| grad_ok(det, &a));
    }
    fn det_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| grad_ok(det, &a));
    }
    /// Regression (hmatrix-backprop goes through `inv`): `det` of a singular matrix has the
    /// cofactor matrix as its gradient, finite and correct.
    fn det_singular_regression<B: Double>() {
        run(singular::<U3, B>(), |a| grad_ok(det, &a));
        let a = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
        let (d, g) = backprop_linalg::backprop(det, &a);
        assert_eq!(d, 0.0);
        assert_entries(&g.to_row_major(), &[4.0, -2.0, -2.0, 1.0]);
        // Rank 2: the cofactor matrix of [[1,2,3],[4,5,6],[7,8,9]].
        let a = Sq::<U3, B>::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        let g = grad_bp(det, &a);
        let expected = [-3.0, 6.0, -3.0, 6.0, -12.0, 6.0, -3.0, 6.0, -3.0];
        for (f, e) in g.to_row_major().iter().zip(&expected) {
            assert!((f - e).abs() < 1e-10, "{g:?}");
        }
        // Rank 1: every cofactor is zero.
        let a = Sq::<U3, B>::from_row_major(&[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 3.0, 6.0, 9.0]);
        let g = grad_bp(det, &a);
        assert!(g.to_row_major().iter().all(|x| x.abs() < 1e-10), "{g:?}");
    }
    fn lndet_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| grad_ok(lndet, &a));
    }
    fn invlndet_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| {
            grad_ok(invlndet, &a)?;
            grad_ok(|a| invlndet(a).split().0, &a)?;
            grad_ok(|a| invlndet(a).split().1.split().0, &a)
        });
    }
    fn invlndet_sign<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[0.0, 1.0, 1.0, 0.0]);
        let (_, (ln, sign)) = eval_bp(invlndet, &a);
        assert!(ln.abs() < 1e-15 && sign == -1.0);
    }
    fn inv_2x2<B: Backend>() {
        run(invertible::<U2, B>(), |a| grad_ok(inv, &a));
    }
    /// Regression: hmatrix-backprop tested `inv` only on SPD matrices; these are general.
    fn inv_general_regression_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| grad_ok(inv, &a));
    }
    fn singular_inverse_errors<B: Backend>() {
        let a = lm::<U2, U2, B>(2, 2, &[1.0, 2.0, 2.0, 4.0]);
        assert_fails(&a, &LinalgError::Singular { op: "inv" }, try_inv, inv);
        assert_fails(&a, &LinalgError::Singular { op: "lndet" }, try_lndet, lndet);
        assert_fails(
            &a,
            &LinalgError::Singular { op: "invlndet" },
            try_invlndet,
            invlndet,
        );
    }
    fn slogdet_2x2<B: Backend>() {
        run(invertible::<U2, B>(), |a| grad_ok(slogdet, &a));
    }
    fn slogdet_3x3<B: Backend>() {
        run(invertible::<U3, B>(), |a| {
            grad_ok(slogdet, &a)?;
            grad_ok(|a| slogdet(a).split().0, &a)
        });
    }
    fn slogdet_4x4<B: Backend>() {
        run(invertible::<U4, B>(), |a| grad_ok(slogdet, &a));
    }
    fn slogdet_value<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[0.0, 2.0, 3.0, 0.0]);
        let (ln, sign) = eval_bp(slogdet, &a);
        assert!((ln - 6f64.ln()).abs() < 1e-14 && sign == -1.0);
    }
}
