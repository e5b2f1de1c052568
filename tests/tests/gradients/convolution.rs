//! Convolutions: `conv`, `corr` (vectors), `conv2`, `corr2` (matrices): gradients with respect
//! to both operands, the output sizes the types compute, agreement with the naive sums of the
//! definitions, and the shape errors of run-time sizes (empty operands, a kernel larger than
//! the signal).

use backprop_linalg::{
    BVar, Backend, DimConv, DimCorr, Dyn, L, LinalgError, R, StaticDim, conv, conv2, corr, corr2,
    eval_bp2, sum_elements, try_conv, try_corr, try_corr2,
};
use backprop_tests::gradcheck::{
    assert_entries, assert_fails, error_of, f64s, grad_ok, hvp_ok, jvp_ok, lm, matrix, real, run,
    rv, vector,
};
use typenum::{U1, U2, U3, U4, U5};

/// The definitions, summed naively in `f64` over row-major grids (`k`: `p×q`, `x`: `m×n`):
/// the full convolution `Σ kₐᵦ·xᵢ₋ₐ,ⱼ₋ᵦ` (`full`) or the valid correlation `Σ kₐᵦ·xᵢ₊ₐ,ⱼ₊ᵦ`.
fn naive(
    full: bool,
    k: &[f64],
    (p, q): (usize, usize),
    x: &[f64],
    (m, n): (usize, usize),
) -> Vec<f64> {
    let (rows, cols) = if full {
        (m + p - 1, n + q - 1)
    } else {
        (m + 1 - p, n + 1 - q)
    };
    let mut y = Vec::with_capacity(rows * cols);
    for i in 0..rows {
        for j in 0..cols {
            let mut s = 0.0;
            for a in 0..p {
                for b in 0..q {
                    // The signal's index; out of range is a zero of the padding.
                    let (r, c) = if full {
                        (i as isize - a as isize, j as isize - b as isize)
                    } else {
                        ((i + a) as isize, (j + b) as isize)
                    };
                    if (0..m as isize).contains(&r) && (0..n as isize).contains(&c) {
                        s += k[a * q + b] * x[r as usize * n + c as usize];
                    }
                }
            }
            y.push(s);
        }
    }
    y
}

fn vector_case<B, K, N>()
where
    B: Backend,
    K: StaticDim,
    N: StaticDim + DimConv<K> + DimCorr<K>,
{
    run((vector::<K, B>(), vector::<N, B>()), |kx| {
        grad_ok(
            |v| {
                let (k, x) = v.split();
                conv(k, x)
            },
            &kx,
        )?;
        grad_ok(
            |v| {
                let (k, x) = v.split();
                corr(k, x)
            },
            &kx,
        )?;
        let (k, x) = &kx;
        let (kv, xv) = (f64s(&k.to_vec()), f64s(&x.to_vec()));
        let full = eval_bp2(conv, k, x).to_vec();
        assert_entries(&full, &naive(true, &kv, (1, K::SIZE), &xv, (1, N::SIZE)));
        let valid = eval_bp2(corr, k, x).to_vec();
        assert_entries(&valid, &naive(false, &kv, (1, K::SIZE), &xv, (1, N::SIZE)));
        Ok(())
    });
}

fn matrix_case<B, P, Q, M, N>()
where
    B: Backend,
    P: StaticDim,
    Q: StaticDim,
    M: StaticDim + DimConv<P> + DimCorr<P>,
    N: StaticDim + DimConv<Q> + DimCorr<Q>,
{
    run((matrix::<P, Q, B>(), matrix::<M, N, B>()), |kx| {
        grad_ok(
            |v| {
                let (k, x) = v.split();
                conv2(k, x)
            },
            &kx,
        )?;
        grad_ok(
            |v| {
                let (k, x) = v.split();
                corr2(k, x)
            },
            &kx,
        )?;
        let (k, x) = &kx;
        let (kv, xv) = (f64s(&k.to_row_major()), f64s(&x.to_row_major()));
        let (ks, xs) = ((P::SIZE, Q::SIZE), (M::SIZE, N::SIZE));
        let full = eval_bp2(conv2, k, x);
        assert_eq!(full.shape(), (M::SIZE + P::SIZE - 1, N::SIZE + Q::SIZE - 1));
        assert_entries(&full.to_row_major(), &naive(true, &kv, ks, &xv, xs));
        let valid = eval_bp2(corr2, k, x);
        assert_eq!(
            valid.shape(),
            (M::SIZE + 1 - P::SIZE, N::SIZE + 1 - Q::SIZE)
        );
        assert_entries(&valid.to_row_major(), &naive(false, &kv, ks, &xv, xs));
        Ok(())
    });
}

/// A curved scalar of `conv` and `corr`.
fn filters<'t, B: Backend>(v: BVar<'t, (R<U2, B>, R<U4, B>)>) -> BVar<'t, B::Real> {
    let (k, x) = v.split();
    sum_elements(conv(k, x).sin()) + sum_elements(corr(k, x).cos())
}

/// A kernel and a signal, matrices.
type Grids<B> = (L<U2, U1, B>, L<U2, U3, B>);

/// A curved scalar of `conv2` and `corr2`.
fn filters2<'t, B: Backend>(v: BVar<'t, Grids<B>>) -> BVar<'t, B::Real> {
    let (k, x) = v.split();
    sum_elements(conv2(k, x).sin()) + sum_elements(corr2(k, x).cos())
}

backprop_tests::cases! {
    fn convolution_second_order<B: Backend>() {
        // Each rule's terms are convolutions and correlations, recorded: the full Hessian of
        // curved scalars of conv and corr (vectors) and conv2 and corr2 (matrices), and forward
        // mode.
        run((vector::<U2, B>(), vector::<U4, B>()), |kx| {
            hvp_ok(filters::<B>, &kx)?;
            jvp_ok(filters::<B>, &kx)
        });
        run((matrix::<U2, U1, B>(), matrix::<U2, U3, B>()), |kx| {
            hvp_ok(filters2::<B>, &kx)?;
            jvp_ok(filters2::<B>, &kx)
        });
    }
    fn conv_and_corr_k1_n3<B: Backend>() {
        vector_case::<B, U1, U3>();
    }
    fn conv_and_corr_k3_n5<B: Backend>() {
        vector_case::<B, U3, U5>();
    }
    /// A kernel as long as the signal: `corr` gives one number, `conv` `2N − 1`.
    fn conv_and_corr_k4_n4<B: Backend>() {
        vector_case::<B, U4, U4>();
    }
    fn conv2_and_corr2_2x2_over_3x4<B: Backend>() {
        matrix_case::<B, U2, U2, U3, U4>();
    }
    fn conv2_and_corr2_1x3_over_2x3<B: Backend>() {
        matrix_case::<B, U1, U3, U2, U3>();
    }
    fn conv2_and_corr2_3x2_over_3x2<B: Backend>() {
        matrix_case::<B, U3, U2, U3, U2>();
    }
    /// The types compute the sizes: `N + K − 1` and `N − K + 1`, the same at run time.
    fn convolution_sizes_in_the_types<B: Backend>() {
        let k: R<U2, B> = rv(&[1.0, 1.0]);
        let x: R<U3, B> = rv(&[-1.0, 0.0, 1.0]);
        let full: R<U4, B> = eval_bp2(conv, &k, &x);
        assert_entries(&full.to_vec(), &[-1.0, -1.0, 1.0, 1.0]);
        let valid: R<U2, B> = eval_bp2(corr, &k, &x);
        assert_entries(&valid.to_vec(), &[-1.0, 1.0]);
        let (kd, xd): (R<Dyn, B>, R<Dyn, B>) = (rv(&[1.0, 1.0]), rv(&[-1.0, 0.0, 1.0]));
        assert_eq!(eval_bp2(conv, &kd, &xd).len(), 4);
        assert_eq!(eval_bp2(corr, &kd, &xd).len(), 2);
        let k2: L<U2, U3, B> = lm(2, 3, &[1.0; 6]);
        let x2: L<U4, U3, B> = lm(4, 3, &[1.0; 12]);
        let full2: L<U5, U5, B> = eval_bp2(conv2, &k2, &x2);
        let valid2: L<U3, U1, B> = eval_bp2(corr2, &k2, &x2);
        assert_entries(&valid2.to_row_major(), &[6.0, 6.0, 6.0]);
        assert_eq!(full2.get(2, 2), real::<B>(6.0));
    }
    /// Run-time sizes: an empty operand, or a kernel larger than the signal, is a shape error
    /// from the `try_` form and the same panic from the plain one.
    fn convolution_shape_errors<B: Backend>() {
        let (short, long, empty): (R<Dyn, B>, R<Dyn, B>, R<Dyn, B>) =
            (rv(&[1.0, 2.0]), rv(&[1.0, 2.0, 3.0]), rv(&[]));
        let too_long = LinalgError::ShapeMismatch {
            op: "corr",
            expected: "a non-empty kernel no larger than the vector".into(),
            found: "a kernel of 3 entries and a vector of 2 entries".into(),
        };
        let pair = |k: &R<Dyn, B>, x: &R<Dyn, B>| (k.clone(), x.clone());
        assert_fails(
            &pair(&long, &short),
            &too_long,
            |v| {
                let (k, x) = v.split();
                try_corr(k, x)
            },
            |v| {
                let (k, x) = v.split();
                corr(k, x)
            },
        );
        for (k, x) in [(&empty, &short), (&short, &empty)] {
            for (name, e) in [
                ("conv", error_of(&pair(k, x), |v| {
                    let (k, x) = v.split();
                    try_conv(k, x)
                })),
                ("corr", error_of(&pair(k, x), |v| {
                    let (k, x) = v.split();
                    try_corr(k, x)
                })),
            ] {
                assert!(
                    matches!(&e, Some(LinalgError::ShapeMismatch { op, .. }) if *op == name),
                    "{name}: {e:?}"
                );
            }
        }
        let wide: L<Dyn, Dyn, B> = lm(1, 3, &[1.0; 3]);
        let tall: L<Dyn, Dyn, B> = lm(3, 1, &[1.0; 3]);
        let e = error_of(&(wide, tall), |v| {
            let (k, x) = v.split();
            try_corr2(k, x)
        });
        assert!(
            matches!(&e, Some(LinalgError::ShapeMismatch { op: "corr2", found, .. }) if found == "a kernel of 1×3 and a matrix of 3×1"),
            "{e:?}"
        );
    }
}
