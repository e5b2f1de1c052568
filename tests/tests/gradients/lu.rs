//! LU with partial pivoting: `lu` (`A = P·L·U`) on inputs whose pivots are clear (each at least
//! twice the other candidates, so `P` is constant near them): the gradient through `L` and `U`
//! together and apart, the reconstruction and the shapes of the factors, and the errors of
//! singular and non-finite inputs.

use backprop_linalg::StaticDim;
use backprop_linalg::{Backend, LinalgError, eval_bp, lu, mul, sum_elements, try_lu};
use backprop_tests::gradcheck::{
    assert_close, assert_fails, error_of, f64s, grad_ok, hvp_ok, jvp_ok, lm, lu_input, naive_mul,
    rounding_tolerance, run,
};
use proptest::prelude::prop_assert;
use typenum::{U2, U3, U4};

fn lu_case<B: Backend, N: StaticDim>() {
    run(lu_input::<N, B>(), |a| {
        grad_ok(lu, &a)?;
        grad_ok(|a| lu(a).split().1, &a)?;
        grad_ok(|a| lu(a).split().2, &a)
    });
}

backprop_tests::cases! {
    fn lu_second_order<B: Backend>() {
        // The rule's products, masks and triangular solves are recorded: the full Hessian of a
        // curved scalar of L and U, and forward mode through the three factors.
        run(lu_input::<U3, B>(), |a| {
            hvp_ok(
                |a| {
                    let (_, l, u) = lu(a).split();
                    sum_elements(mul(l, u).sin()) + sum_elements(l * l * l) + sum_elements((u * l).cos())
                },
                &a,
            )?;
            jvp_ok(lu, &a)
        });
    }
    fn lu_2x2<B: Backend>() {
        lu_case::<B, U2>();
    }
    fn lu_3x3<B: Backend>() {
        lu_case::<B, U3>();
    }
    fn lu_4x4<B: Backend>() {
        lu_case::<B, U4>();
    }
    /// `P·L·U = A`, `L` unit lower-triangular, `U` upper-triangular, `P` a permutation.
    fn lu_reconstructs<B: Backend>() {
        run(lu_input::<U4, B>(), |a| {
            let (p, l, u) = eval_bp(lu, &a);
            let (p, l, u) = (f64s(&p.to_row_major()), f64s(&l.to_row_major()), f64s(&u.to_row_major()));
            let tol = rounding_tolerance::<B::Real, B::Real>() * 10.0;
            assert_close(&naive_mul(&naive_mul(&p, &l, 4, 4, 4), &u, 4, 4, 4), &f64s(&a.to_row_major()), tol);
            for i in 0..4 {
                prop_assert!(l[i * 4 + i] == 1.0);
                prop_assert!((i + 1..4).all(|j| l[i * 4 + j] == 0.0 && u[j * 4 + i] == 0.0));
                prop_assert!((0..4).map(|j| p[i * 4 + j]).sum::<f64>() == 1.0);
                prop_assert!((0..4).map(|j| p[j * 4 + i]).sum::<f64>() == 1.0);
            }
            Ok(())
        });
    }
    fn lu_singular_and_non_finite_errors<B: Backend>() {
        let singular = lm::<U2, U2, B>(2, 2, &[1.0, 2.0, 2.0, 4.0]);
        assert_fails(&singular, &LinalgError::Singular { op: "lu" }, try_lu, lu);
        let nan = lm::<U2, U2, B>(2, 2, &[1.0, f64::NAN, 0.0, 1.0]);
        assert!(matches!(
            error_of(&nan, try_lu),
            Some(LinalgError::NonFinite { op: "lu", .. })
        ));
    }
}
