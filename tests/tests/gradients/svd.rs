//! Singular value decompositions and what is built on them: `svd` (the singular values),
//! `svd_` (full), `svd_tall`, `svd_flat` (thin) and `pinv`.
//!
//! Inputs have separated singular values (at least 0.5 apart, in `[0.5, 2]`), so the factors are
//! smooth around them. Singular vectors are checked through gauge-invariant functions
//! (`backprop_tests::gauge`: `U·diag(w)·Uᵀ`, `U·Vᵀ`, `U∘U`), and multi-output ops also with a
//! cotangent on one output only. At a repeated singular value, a cotangent on the vectors makes
//! the backward pass panic with a message naming the op (never a NaN).

use backprop_linalg::Backend;
use backprop_linalg::StaticDim;
use backprop_linalg::{
    Join, eval_bp, grad_bp, mul, norm_2m, pinv, sum_elements, svd, svd_, svd_flat, svd_tall, tr,
};
use backprop_tests::gauge::{sandwich, squares, thin_sandwich, thin_squares, u_vt};
use backprop_tests::gradcheck::{
    assert_entries, grad_ok, hvp_ok, jvp_ok, lm, panic_message, run, separated_singular,
};
use typenum::{U2, U3, U4, U5};

fn svd_values_case<B: Backend, M: StaticDim, N: StaticDim>() {
    run(separated_singular::<M, N, B>(), |a| grad_ok(svd, &a));
}

/// `svd_` through gauge-invariant functions of all three outputs at once, then of each output
/// alone.
fn svd_full_case<B: Backend, M: StaticDim, N: StaticDim>() {
    let (m, n) = (M::SIZE, N::SIZE);
    let k = m.min(n);
    // `U∘U` is sign-invariant; with one extra column (fixed by the sign rule up to sign) it is
    // invariant on the whole of `U`, with more only on the first `k` columns.
    let keep_u = move |j: usize| j < k || m - k == 1;
    let keep_v = move |j: usize| j < k || n - k == 1;
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(
            |a| {
                let (u, s, v) = svd_(a).split();
                (
                    sandwich(u, k),
                    s,
                    sandwich(v, k),
                    u_vt(u, v),
                    squares(u, keep_u),
                    squares(v, keep_v),
                )
                    .join()
            },
            &a,
        )?;
        grad_ok(|a| sandwich(svd_(a).split().0, k), &a)?;
        grad_ok(|a| squares(svd_(a).split().0, keep_u), &a)?;
        grad_ok(|a| svd_(a).split().1, &a)?;
        grad_ok(|a| sandwich(svd_(a).split().2, k), &a)?;
        grad_ok(|a| squares(svd_(a).split().2, keep_v), &a)
    });
}

fn pinv_case<B: Backend, M: StaticDim, N: StaticDim>() {
    run(separated_singular::<M, N, B>(), |a| grad_ok(pinv, &a));
}

/// `svd_tall` through gauge-invariant functions of all outputs at once, then of `U` alone (the
/// side with the projector term) and of `σ` alone.
fn svd_tall_case<B, M, N>()
where
    B: Backend,
    M: StaticDim,
    N: StaticDim + backprop_linalg::DimLe<M>,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(
            |a| {
                let (u, s, v) = svd_tall(a).split();
                (
                    thin_sandwich(u),
                    s,
                    thin_sandwich(v),
                    mul(u, tr(v)),
                    thin_squares(u),
                )
                    .join()
            },
            &a,
        )?;
        grad_ok(|a| thin_squares(svd_tall(a).split().0), &a)?;
        grad_ok(|a| svd_tall(a).split().1, &a)
    });
}

/// As `svd_tall_case`, for `svd_flat` (whose projector term is on the `V` side).
fn svd_flat_case<B, M, N>()
where
    B: Backend,
    M: StaticDim + backprop_linalg::DimLe<N>,
    N: StaticDim,
{
    run(separated_singular::<M, N, B>(), |a| {
        grad_ok(
            |a| {
                let (u, s, v) = svd_flat(a).split();
                (
                    thin_sandwich(u),
                    s,
                    thin_sandwich(v),
                    mul(u, tr(v)),
                    thin_squares(v),
                )
                    .join()
            },
            &a,
        )?;
        grad_ok(|a| svd_flat(a).split().1, &a)?;
        grad_ok(|a| thin_squares(svd_flat(a).split().2), &a)
    });
}

/// The second order through every SVD form: the full Hessian (and `jvp`) of a scalar built
/// from gauge-invariant functions of `svd_`'s three outputs, of the thin forms, of the values,
/// of `pinv` and of `norm_2m`.
fn svd_second_order_case<B: Backend, M: StaticDim, N: StaticDim>() {
    let (m, n) = (M::SIZE, N::SIZE);
    let k = m.min(n);
    let keep_u = move |j: usize| j < k || m - k == 1;
    let keep_v = move |j: usize| j < k || n - k == 1;
    run(separated_singular::<M, N, B>(), |a| {
        hvp_ok(
            |a| {
                let (u, s, v) = svd_(a).split();
                let vectors = sandwich(u, k) * squares(u, keep_u);
                // One scalar for every form (a wrong rule in any term changes its Hessian):
                // one Hessian check instead of one per form.
                sum_elements(vectors)
                    + sum_elements(u_vt(u, v) * u_vt(u, v).sin())
                    + sum_elements(squares(v, keep_v).exp())
                    + sum_elements(s * s * s)
                    + sum_elements(svd(a).exp())
                    + norm_2m(a) * norm_2m(a)
                    + sum_elements(pinv(a) * pinv(a).cos())
            },
            &a,
        )?;
        jvp_ok(
            |a| {
                let (u, s, v) = svd_(a).split();
                (squares(u, keep_u), s, squares(v, keep_v)).join()
            },
            &a,
        )
    });
}

backprop_tests::cases! {
    fn svd_second_order_3x3<B: Backend>() {
        svd_second_order_case::<B, U3, U3>();
    }
    fn svd_second_order_3x2<B: Backend>() {
        svd_second_order_case::<B, U3, U2>();
    }
    fn svd_second_order_2x4<B: Backend>() {
        svd_second_order_case::<B, U2, U4>();
    }
    fn svd_thin_second_order<B: Backend>() {
        run(separated_singular::<U4, U2, B>(), |a| {
            hvp_ok(
                |a| {
                    let (u, s, v) = svd_tall(a).split();
                    sum_elements(thin_sandwich(u).sin())
                        + sum_elements(thin_squares(u) * thin_squares(u))
                        + sum_elements(mul(u, tr(v)).sin())
                        + sum_elements(s.ln())
                },
                &a,
            )
        });
        run(separated_singular::<U2, U3, B>(), |a| {
            hvp_ok(
                |a| {
                    let (u, s, v) = svd_flat(a).split();
                    sum_elements(thin_sandwich(v).exp())
                        + sum_elements(mul(u, tr(v)).sin())
                        + sum_elements(s.ln())
                },
                &a,
            )
        });
    }
    fn svd_3x2<B: Backend>() {
        svd_values_case::<B, U3, U2>();
    }
    fn svd_2x3<B: Backend>() {
        // σ is zero-padded to length 3 (hmatrix's convention); the padding is constant.
        svd_values_case::<B, U2, U3>();
    }
    fn svd_3x3<B: Backend>() {
        svd_values_case::<B, U3, U3>();
    }
    fn svd_5x2<B: Backend>() {
        svd_values_case::<B, U5, U2>();
    }
    fn svd_3x4<B: Backend>() {
        svd_values_case::<B, U3, U4>();
    }
    fn svd_pads_with_zeros<B: Backend>() {
        let a = lm::<U2, U3, B>(2, 3, &[3.0, 0.0, 0.0, 0.0, 2.0, 0.0]);
        let s = eval_bp(svd, &a).to_vec();
        assert_entries(&s, &[3.0, 2.0, 0.0]);
    }
    fn svd_full_3x3<B: Backend>() {
        svd_full_case::<B, U3, U3>();
    }
    fn svd_full_3x2<B: Backend>() {
        svd_full_case::<B, U3, U2>();
    }
    fn svd_full_2x3<B: Backend>() {
        svd_full_case::<B, U2, U3>();
    }
    fn svd_full_5x2<B: Backend>() {
        svd_full_case::<B, U5, U2>();
    }
    fn svd_full_3x4<B: Backend>() {
        svd_full_case::<B, U3, U4>();
    }
    /// At a repeated singular value, σ alone has a finite gradient; a cotangent on `U` makes
    /// the backward pass panic with a message (never NaN).
    fn svd_repeated_singular_values<B: Backend>() {
        let a = lm::<U3, U3, B>(3, 3, &[2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0]);
        let g = grad_bp(|a| svd_(a).split().1, &a);
        assert_entries(
            &g.to_row_major(),
            &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        );
        let message = panic_message(|| {
            grad_bp(|a| svd_(a).split().0, &a);
        });
        let message = message.expect("the backward pass panics");
        assert!(message.starts_with("svd_: "), "{message}");
        assert!(message.contains("repeated singular values"), "{message}");
    }
    fn pinv_3x2<B: Backend>() {
        pinv_case::<B, U3, U2>();
    }
    fn pinv_5x2<B: Backend>() {
        pinv_case::<B, U5, U2>();
    }
    fn pinv_4x3<B: Backend>() {
        pinv_case::<B, U4, U3>();
    }
    fn pinv_2x3<B: Backend>() {
        pinv_case::<B, U2, U3>();
    }
    fn pinv_3x3<B: Backend>() {
        pinv_case::<B, U3, U3>();
    }
    fn svd_tall_3x2<B: Backend>() {
        svd_tall_case::<B, U3, U2>();
    }
    fn svd_tall_5x2<B: Backend>() {
        svd_tall_case::<B, U5, U2>();
    }
    fn svd_tall_4x3<B: Backend>() {
        svd_tall_case::<B, U4, U3>();
    }
    fn svd_tall_3x3<B: Backend>() {
        svd_tall_case::<B, U3, U3>();
    }
    fn svd_flat_2x3<B: Backend>() {
        svd_flat_case::<B, U2, U3>();
    }
    fn svd_flat_2x5<B: Backend>() {
        svd_flat_case::<B, U2, U5>();
    }
    fn svd_flat_3x4<B: Backend>() {
        svd_flat_case::<B, U3, U4>();
    }
    /// At a repeated singular value, σ alone has a finite gradient; a cotangent on `U` makes
    /// the backward pass panic with a message naming the op (never NaN).
    fn svd_tall_repeated_singular_values<B: Backend>() {
        let a = lm::<U3, U2, B>(3, 2, &[2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let g = grad_bp(|a| svd_tall(a).split().1, &a);
        assert_entries(&g.to_row_major(), &[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let message = panic_message(|| {
            grad_bp(|a| thin_squares(svd_tall(a).split().0), &a);
        })
        .expect("the backward pass panics");
        assert!(message.starts_with("svd_tall: "), "{message}");
        assert!(message.contains("repeated singular values"), "{message}");
    }
}
