//! QR and least squares: `qr` (square, tall), `lq` and `qr_wide` (wide), and `lstsq` (tall:
//! least squares; wide: least norm) on inputs of full rank with singular values in `[0.5, 2]`,
//! the values pinned, the factors' reconstruction and structure, the normal equations of the
//! residual, agreement with `pinv`, and the errors of rank-deficient inputs (`qr`, `lq`,
//! `qr_wide`, `pinv`, `lstsq`).

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    DimLe, L, LinalgError, eval_bp, lq, lstsq, mul, pinv, qr, qr_wide, sum_elements, try_lq,
    try_lstsq, try_pinv, try_qr, try_qr_wide,
};
use backprop_tests::Double;
use backprop_tests::gradcheck::{
    assert_close, assert_fails, f64s, grad_ok, hvp_ok, jvp_ok, lm, matrix, naive_mul, real,
    rounding_tolerance, run, same_as, separated_singular, wide_leading_block,
};
use proptest::prelude::prop_assert;
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

/// `lstsq` of a tall, square or wide `A`: its gradient, and the same value and gradient as
/// `pinv(A)·B`.
fn lstsq_case<B: Backend, M: StaticDim, N: StaticDim>() {
    run(
        (separated_singular::<M, N, B>(), matrix::<M, U2, B>()),
        |ab| {
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    lstsq(a, b)
                },
                &ab,
            )?;
            same_as(
                |v| {
                    let (a, b) = v.split();
                    lstsq(a, b)
                },
                |v| {
                    let (a, b) = v.split();
                    mul(pinv(a), b)
                },
                &ab,
            )
        },
    );
}

/// `lq` (on full-row-rank input) and `qr_wide` (on input with an invertible leading block):
/// gradients of both factors together and apart.
fn wide_case<B, M, N>()
where
    B: Backend,
    M: StaticDim + DimLe<N>,
    N: StaticDim,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(lq, &a)?;
        grad_ok(|a| lq(a).split().0, &a)?;
        grad_ok(|a| lq(a).split().1, &a)
    });
    run(wide_leading_block::<M, N, B>(), |a| {
        grad_ok(qr_wide, &a)?;
        grad_ok(|a| qr_wide(a).split().0, &a)?;
        grad_ok(|a| qr_wide(a).split().1, &a)
    });
}

/// The second order through `qr`, `lq`, `qr_wide` and `lstsq` (tall and wide): full Hessians
/// of scalars of both factors, and `jvp` of the factors.
fn qr_second_order_case<B, M, N>()
where
    B: Backend,
    M: StaticDim,
    N: StaticDim + DimLe<M>,
{
    run(separated_singular::<M, N, B>(), |a| {
        hvp_ok(
            |a| {
                let (q, r) = qr(a).split();
                sum_elements(q.sin()) + sum_elements(r * r * r)
            },
            &a,
        )?;
        jvp_ok(qr, &a)
    });
    run(
        (separated_singular::<M, N, B>(), matrix::<M, U2, B>()),
        |ab| {
            hvp_ok(
                |v| {
                    let (a, b) = v.split();
                    sum_elements(lstsq(a, b).sin())
                },
                &ab,
            )
        },
    );
    // The transposed shapes: wide.
    run(separated_singular::<N, M, B>(), |a| {
        hvp_ok(
            |a| {
                let (l, q) = lq(a).split();
                sum_elements(l * l * l) + sum_elements(q.exp())
            },
            &a,
        )?;
        jvp_ok(lq, &a)
    });
    run(
        (separated_singular::<N, M, B>(), matrix::<N, U2, B>()),
        |ab| {
            hvp_ok(
                |v| {
                    let (a, b) = v.split();
                    sum_elements(lstsq(a, b).sin())
                },
                &ab,
            )
        },
    );
}

backprop_tests::cases! {
    fn qr_second_order_3x2<B: Backend>() {
        qr_second_order_case::<B, U3, U2>();
    }
    fn qr_second_order_3x3<B: Backend>() {
        qr_second_order_case::<B, U3, U3>();
    }
    fn qr_wide_second_order<B: Backend>() {
        run(wide_leading_block::<U2, U3, B>(), |a| {
            hvp_ok(
                |a| {
                    let (q, r) = qr_wide(a).split();
                    sum_elements(q.sin()) + sum_elements(r * r * r)
                },
                &a,
            )?;
            jvp_ok(qr_wide, &a)
        });
    }
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
    fn lstsq_wide_2x3<B: Backend>() {
        lstsq_case::<B, U2, U3>();
    }
    fn lstsq_wide_2x5<B: Backend>() {
        lstsq_case::<B, U2, U5>();
    }
    fn lstsq_wide_3x4<B: Backend>() {
        lstsq_case::<B, U3, U4>();
    }
    fn wide_factors_1x3<B: Backend>() {
        wide_case::<B, U1, U3>();
    }
    fn wide_factors_2x3<B: Backend>() {
        wide_case::<B, U2, U3>();
    }
    fn wide_factors_2x5<B: Backend>() {
        wide_case::<B, U2, U5>();
    }
    fn wide_factors_3x4<B: Backend>() {
        wide_case::<B, U3, U4>();
    }
    /// `L·Q = A` with `L` lower triangular, positive diagonal, and `Q·Qᵀ = I`; `Q·R = A` with
    /// `R` upper trapezoidal, positive diagonal, and `QᵀQ = I`; the least-norm solution solves
    /// `A·X = B` exactly and lies in `A`'s row space (`X = Aᵀ·(AAᵀ)⁻¹·B` is `lstsq`'s value).
    fn wide_factors_reconstruct<B: Backend>() {
        let (m, n) = (2, 4);
        run(wide_leading_block::<U2, U4, B>(), |a| {
            let tol = rounding_tolerance::<B::Real, B::Real>() * 10.0;
            let entries = f64s(&a.to_row_major());
            let (l, q) = eval_bp(lq, &a);
            let (l, q) = (f64s(&l.to_row_major()), f64s(&q.to_row_major()));
            assert_close(&naive_mul(&l, &q, m, m, n), &entries, tol);
            let qt: Vec<f64> = (0..n * m).map(|k| q[(k % m) * n + k / m]).collect();
            assert_close(&naive_mul(&q, &qt, m, n, m), &[1.0, 0.0, 0.0, 1.0], tol);
            prop_assert!(l[1] == 0.0 && l[0] > 0.0 && l[3] > 0.0);
            let (q, r) = eval_bp(qr_wide, &a);
            let (q, r) = (f64s(&q.to_row_major()), f64s(&r.to_row_major()));
            assert_close(&naive_mul(&q, &r, m, m, n), &entries, tol);
            let qt: Vec<f64> = (0..m * m).map(|k| q[(k % m) * m + k / m]).collect();
            assert_close(&naive_mul(&qt, &q, m, m, m), &[1.0, 0.0, 0.0, 1.0], tol);
            prop_assert!(r[n] == 0.0 && r[0] > 0.0 && r[n + 1] > 0.0);
            let b = lm::<U2, U1, B>(2, 1, &[1.0, -2.0]);
            let x = f64s(&backprop_linalg::eval_bp2(lstsq, &a, &b).to_row_major());
            assert_close(&naive_mul(&entries, &x, m, n, 1), &[1.0, -2.0], tol * 10.0);
            Ok(())
        });
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
    /// `lq` and a wide `lstsq` need full row rank; `qr_wide` an invertible leading block (an
    /// `A` of full row rank without one is refused by `qr_wide` and accepted by `lq`).
    fn wide_rank_deficient_errors<B: Backend>() {
        let low_rank = lm::<U2, U3, B>(2, 3, &[1.0, 2.0, 3.0, 2.0, 4.0, 6.0]);
        assert_fails(&low_rank, &LinalgError::Singular { op: "lq" }, try_lq, lq);
        let ab = (low_rank, lm::<U2, U1, B>(2, 1, &[1.0, 0.0]));
        assert_fails(
            &ab,
            &LinalgError::Singular { op: "lstsq" },
            |v| try_lstsq(v.split().0, v.split().1),
            |v| lstsq(v.split().0, v.split().1),
        );
        let singular_block = lm::<U2, U3, B>(2, 3, &[1.0, 2.0, 0.0, 2.0, 4.0, 1.0]);
        assert_fails(&singular_block, &LinalgError::Singular { op: "qr_wide" }, try_qr_wide, qr_wide);
        let (l, _) = eval_bp(lq, &singular_block);
        assert!(l.get(1, 1) > real::<B>(0.1));
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
