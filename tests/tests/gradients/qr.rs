//! QR and least squares: `qr` (square, tall) and `lstsq` on inputs of full rank with singular
//! values in `[0.5, 2]`, the values pinned, the normal equations of the residual, and the errors
//! of rank-deficient inputs (`qr`, `pinv`, `lstsq`).

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{L, LinalgError, eval_bp, lstsq, pinv, qr, try_lstsq, try_pinv, try_qr};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_close, assert_fails, grad_ok, lm, matrix, naive_mul, run, separated_singular,
};
use typenum::{U1, U2, U3, U4, U5};

fn qr_case<B, M, N>()
where
    B: Backend,
    M: StaticDim,
    N: StaticDim + backprop_linalg::DimLe<M>,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(qr, &a)?;
        grad_ok(|a| qr(a).split().0, &a)?;
        grad_ok(|a| qr(a).split().1, &a)
    });
}

fn lstsq_case<B, M, N>()
where
    B: Backend,
    M: StaticDim,
    N: StaticDim + backprop_linalg::DimLe<M>,
{
    run(
        (separated_singular::<M, N, B>(), matrix::<M, U2, B>()),
        |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    lstsq(a, b)
                },
                &ab,
            )
        },
    );
}

backprop_tests::cases! {
    fn qr_2x2<B: Backend>() {
        qr_case::<B, U2, U2>();
    }
    fn qr_3x3<B: Backend>() {
        qr_case::<B, U3, U3>();
    }
    fn qr_4x4<B: Backend>() {
        qr_case::<B, U4, U4>();
    }
    fn qr_3x2<B: Backend>() {
        qr_case::<B, U3, U2>();
    }
    fn qr_5x2<B: Backend>() {
        qr_case::<B, U5, U2>();
    }
    fn qr_4x3<B: Backend>() {
        qr_case::<B, U4, U3>();
    }
    fn qr_value<B: Double>() {
        let a = L::<U3, U2, B>::from_row_major(&[3.0, 1.0, 0.0, 2.0, 4.0, 3.0]);
        let (q, r) = eval_bp(qr, &a);
        let (q, r) = (q.to_row_major(), r.to_row_major());
        assert_close(&naive_mul(&q, &r, 3, 2, 2), &a.to_row_major(), 1e-14);
        assert_close(&[r[0], r[2]], &[5.0, 0.0], 1e-14);
        assert!(r[3] > 0.0);
    }
    fn lstsq_3x2<B: Backend>() {
        lstsq_case::<B, U3, U2>();
    }
    fn lstsq_5x2<B: Backend>() {
        lstsq_case::<B, U5, U2>();
    }
    fn lstsq_4x3<B: Backend>() {
        lstsq_case::<B, U4, U3>();
    }
    fn lstsq_3x3<B: Backend>() {
        lstsq_case::<B, U3, U3>();
    }
    /// The residual is orthogonal to the columns of `A`: `Aᵀ(B − AX) = 0`.
    fn lstsq_normal_equations<B: Double>() {
        let a = L::<U3, U2, B>::from_row_major(&[1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
        let b = L::<U3, U1, B>::from_row_major(&[6.0, 0.0, 0.0]);
        let x = backprop_linalg::eval_bp2(lstsq, &a, &b).to_row_major();
        let ax = naive_mul(&a.to_row_major(), &x, 3, 2, 1);
        let e: Vec<f64> = b
            .to_row_major()
            .iter()
            .zip(&ax)
            .map(|(b, p)| b - p)
            .collect();
        let at: Vec<f64> = (0..6).map(|k| a.get(k % 3, k / 3)).collect();
        assert_close(&naive_mul(&at, &e, 2, 3, 1), &[0.0, 0.0], 1e-13);
        assert_close(&x, &[5.0, -3.0], 1e-13);
    }
    fn rank_deficient_errors<B: Backend>() {
        let a = lm::<U3, U2, B>(3, 2, &[1.0, 2.0, 2.0, 4.0, 3.0, 6.0]);
        assert_fails(&a, &LinalgError::Singular { op: "qr" }, try_qr, qr);
        assert_fails(&a, &LinalgError::Singular { op: "pinv" }, try_pinv, pinv);
        let ab = (a, lm::<U3, U1, B>(3, 1, &[1.0, 0.0, 1.0]));
        assert_fails(
            &ab,
            &LinalgError::Singular { op: "lstsq" },
            |v| try_lstsq(v.split().0, v.split().1),
            |v| lstsq(v.split().0, v.split().1),
        );
    }
}
