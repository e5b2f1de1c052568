//! Run-time sizes: every operation on values whose sizes are [`Dyn`], one case per family
//! below, each op checked two ways by `static_and_dynamic!` (its gradient against central
//! differences on the dynamic input, and its value and gradient equal to the static op's on the
//! same entries, to 1e-14 relative); products and concatenations also with static×dynamic
//! mixes; and sweeps over random run-time sizes, 0 and 1 included.
//!
//! Left out, because their sizes exist only in types: `konst`, `extract_v`/`extract_m`/`create`
//! (the conversions between static and dynamic, tested with the structure family), `eye`,
//! `range`, `dim` (constants of a type's size), `vec2`/`vec3`/`vec4` and `cross` (fixed
//! lengths). Their run-time forms (`R::konst_len`, `L::eye_n`, `linspace_n`, `split_at`, ...)
//! are here.

use backprop_linalg::typenum::{U1, U2, U3, U4, U5};
use backprop_linalg::{
    BVar, Backprop, C, Dyn, Her, Join, L, LinalgError, M, Matrix, Triangle, Vector, add_to_cols,
    affine, affine_cols, app, app_c, append, backprop, chol, chol_solve, col, complex, cov, det,
    diag, diag_r, dmmap, dot, dot_c, dvmap, dzip_with_vector, eigensystem, eigenvalues, expm,
    from_columns, from_complex, from_rows, grad_bp, hcat, head_tail, her, imag, inv, invlndet,
    lin_solve, lin_solve_v, linspace, linspace_n, lndet, lstsq, m_hm, m_tm, magnitude, mean,
    mean_cov, mean_l, mmap, mmap_, mul, mul_c, norm_0, norm_1m, norm_1v, norm_2m, norm_2v,
    norm_inf_m, norm_inf_v, outer, outer_c, pinv, qr, real, row, scale, slogdet, snoc, split,
    split_at, split_cols, split_cols_at, split_rows, split_rows_at, sq_magnitude, sqrtm,
    sum_elements, svd, svd_, svd_flat, svd_tall, sym, take_diag, to_columns, to_complex, to_rows,
    tr, trace, triangular_solve, try_add_to_cols, try_affine, try_affine_cols, try_app, try_app_c,
    try_chol_solve, try_cov, try_det, try_dot, try_dot_c, try_dzip_with_vector, try_expm,
    try_from_columns, try_from_rows, try_hcat, try_head_tail, try_her, try_inv, try_invlndet,
    try_lin_solve, try_lin_solve_v, try_lndet, try_lstsq, try_matrix_shape, try_mean, try_mean_cov,
    try_mean_l, try_mul, try_mul_c, try_qr, try_slogdet, try_split, try_split_at, try_split_cols,
    try_split_cols_at, try_split_rows, try_split_rows_at, try_sqrtm, try_svd_flat, try_svd_tall,
    try_sym, try_take_diag, try_to_complex, try_trace, try_triangular_solve, try_vcat,
    try_zip_with_vector, try_zip_with_vector_, un_her, un_sym, uncol, unrow, vcat, vmap, vmap_,
    zip_with_vector, zip_with_vector_,
};
use backprop_linalg::{try_add, try_div, try_hadamard, try_sub};
use backprop_tests::dynamic::{dyn_invertible, dyn_spd, static_and_dynamic};
use backprop_tests::gauge::{sandwich, thin_sandwich, u_vt};
use backprop_tests::gradcheck::panic_site;
use backprop_tests::gradcheck::{
    complex_matrix, complex_vector, dyn_matrix, dyn_vector, grad_ok, hvp_ok, invertible, matrix,
    nonzero_complex_vector, principal_root_input, run, scalar, separated_matrix,
    separated_singular, separated_vector, small_norm, spd, sym_separated, symmetric, triangular,
    vector,
};
use backprop_tests::static_and_dynamic;
use backprop_tests::{ComplexDouble, Double};
use num_complex::Complex64;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Sizes of the random-size sweeps: 0 and 1 included.
fn size() -> impl Strategy<Value = usize> {
    0usize..=4
}

backprop_tests::cases! {
    fn products<B: Double>() {
        static_and_dynamic!((matrix::<U3, U2, B>(), matrix::<U2, U4, B>()), |v| {
            let (a, b) = v.split();
            mul(a, b)
        });
        static_and_dynamic!((matrix::<U3, U2, B>(), vector::<U2, B>()), |v| {
            let (a, x) = v.split();
            app(a, x)
        });
        static_and_dynamic!((vector::<U3, B>(), vector::<U3, B>()), |v| {
            let (x, y) = v.split();
            dot(x, y)
        });
        static_and_dynamic!((vector::<U3, B>(), vector::<U2, B>()), |v| {
            let (x, y) = v.split();
            outer(x, y)
        });
        static_and_dynamic!((scalar(), matrix::<U3, U2, B>()), |v| {
            let (s, a) = v.split();
            scale(s, a)
        });
        static_and_dynamic!(
            (matrix::<U3, U2, B>(), vector::<U2, B>(), vector::<U3, B>()),
            |v| {
                let (w, x, b) = v.split();
                affine(w, x, b)
            }
        );
        static_and_dynamic!(
            (matrix::<U3, U2, B>(), matrix::<U2, U4, B>(), vector::<U3, B>()),
            |v| {
                let (w, x, b) = v.split();
                affine_cols(w, x, b)
            }
        );
        static_and_dynamic!((matrix::<U3, U2, B>(), vector::<U3, B>()), |v| {
            let (m, x) = v.split();
            add_to_cols(m, x)
        });
        static_and_dynamic!((matrix::<U3, U2, B>(), matrix::<U3, U2, B>()), |v| {
            let (a, b) = v.split();
            (a * b - a).sin() + (a + b).tanh() / (b * b).exp()
        });
    }

    /// `L<U3, Dyn>` times `L<Dyn, U4>` is a `L<U3, U4>`; mixed shapes give the static result.
    fn products_static_by_dynamic<B: Double>() {
        run((matrix::<U3, U2, B>(), matrix::<U2, U4, B>()), |(a, b)| {
            let mixed = (mixed::<U3, Dyn, B>(&a), mixed::<Dyn, U4, B>(&b));
            grad_ok(
                |v| {
                    let (a, b) = v.split();
                    mul(a, b)
                },
                &mixed,
            )?;
            let (ga, gb) = backprop_linalg::grad_bp2(|a, b| sum_elements(mul(a, b)), &a, &b);
            let (ma, mb) = backprop_linalg::grad_bp2(|a, b| sum_elements(mul(a, b)), &mixed.0, &mixed.1);
            prop_assert_eq!(ga.to_row_major(), ma.to_row_major());
            prop_assert_eq!(gb.to_row_major(), mb.to_row_major());
            Ok(())
        });
        run((matrix::<U3, U2, B>(), vector::<U2, B>()), |(a, x)| {
            let a = mixed::<U3, Dyn, B>(&a);
            let x = x.into_dyn();
            grad_ok(
                |v| {
                    let (a, x) = v.split();
                    app(a, x)
                },
                &(a, x),
            )
        });
    }

    /// Concatenations of a static and a dynamic operand: the joined size is `Dyn`, the other
    /// stays static (`hcat` of `L<U3, U2>` and `L<U3, Dyn>` is a `L<U3, Dyn>`).
    fn concatenations_static_with_dynamic<B: Double>() {
        run((vector::<U2, B>(), vector::<U3, B>()), |(x, y)| {
            let mixed = (x.clone(), y.clone().into_dyn());
            grad_ok(|v| { let (x, y) = v.split(); append(x, y) }, &mixed)?;
            same_gradient(
                &(x, y),
                &mixed,
                |v| { let (x, y) = v.split(); sum_elements(append(x, y).exp()) },
                |v| { let (x, y) = v.split(); sum_elements(append(x, y).exp()) },
            )
        });
        run((matrix::<U3, U2, B>(), matrix::<U3, U1, B>()), |(a, b)| {
            let mixed = (a.clone(), mixed::<U3, Dyn, B>(&b));
            grad_ok(|v| { let (a, b) = v.split(); hcat(a, b) }, &mixed)?;
            same_gradient(
                &(a, b),
                &mixed,
                |v| { let (a, b) = v.split(); sum_elements(hcat(a, b).sin()) },
                |v| { let (a, b) = v.split(); sum_elements(hcat(a, b).sin()) },
            )
        });
        run((matrix::<U2, U3, B>(), matrix::<U1, U3, B>()), |(a, b)| {
            let mixed = (mixed::<Dyn, U3, B>(&a), b.clone());
            grad_ok(|v| { let (a, b) = v.split(); vcat(a, b) }, &mixed)?;
            same_gradient(
                &(a, b),
                &mixed,
                |v| { let (a, b) = v.split(); sum_elements(vcat(a, b).tanh()) },
                |v| { let (a, b) = v.split(); sum_elements(vcat(a, b).tanh()) },
            )
        });
    }

    fn structure<B: Double>() {
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| tr(a));
        static_and_dynamic!(matrix::<U3, U3, B>(), |a| sym(a));
        static_and_dynamic!(symmetric::<U3, B>(), |a| un_sym(a));
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| m_tm(a));
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| sum_elements(a));
        static_and_dynamic!(matrix::<U3, U3, B>(), |a| trace(a));
        static_and_dynamic!(matrix::<U3, U3, B>(), |a| take_diag(a));
        static_and_dynamic!(vector::<U3, B>(), |x| diag(x));
        static_and_dynamic!((scalar(), vector::<U2, B>()), |v| {
            let (c, x) = v.split();
            diag_r::<U3, U4, _, _>(c, x)
        });
    }

    fn vectors_built_joined_and_split<B: Double>() {
        static_and_dynamic!((vector::<U2, B>(), vector::<U3, B>()), |v| {
            let (x, y) = v.split();
            append(x, y)
        });
        static_and_dynamic!((vector::<U2, B>(), scalar()), |v| {
            let (x, s) = v.split();
            snoc(x, s)
        });
        static_and_dynamic!(vector::<U5, B>(), |x| split::<U2, _, _>(x));
        static_and_dynamic!(vector::<U3, B>(), |x| head_tail(x));
        // The run-time forms against their static spellings.
        run(vector::<U5, B>(), |x| {
            static_and_dynamic(&x, split::<U2, _, _>, |x| split_at(x, 2))
        });
        run((scalar(), scalar(), scalar()), |xyz| {
            static_and_dynamic(
                &xyz,
                |v| {
                    let (a, b, c) = v.split();
                    backprop_linalg::vector::<U3, B>(&[a, b * c, c])
                },
                |v| {
                    let (a, b, c) = v.split();
                    backprop_linalg::vector::<Dyn, B>(&[a, b * c, c])
                },
            )
        });
        run((scalar(), scalar()), |lu| {
            static_and_dynamic(
                &lu,
                |v| {
                    let (l, u) = v.split();
                    linspace::<U4, B>(l, u)
                },
                |v| {
                    let (l, u) = v.split();
                    linspace_n::<B>(4, l, u)
                },
            )
        });
    }

    fn matrices_built_joined_and_split<B: Double>() {
        static_and_dynamic!(vector::<U3, B>(), |x| row(x));
        static_and_dynamic!(vector::<U3, B>(), |x| col(x));
        // `unrow` and `uncol` take a `L<U1, N>` / `L<N, U1>`: their run-time form is mixed.
        run(matrix::<U1, U3, B>(), |a| {
            let d = mixed::<U1, Dyn, B>(&a);
            same_gradient(&a, &d, |a| sum_elements(unrow(a) * unrow(a)), |a| {
                sum_elements(unrow(a) * unrow(a))
            })?;
            grad_ok(unrow, &d)
        });
        run(matrix::<U3, U1, B>(), |a| {
            let d = mixed::<Dyn, U1, B>(&a);
            same_gradient(&a, &d, |a| sum_elements(uncol(a).exp()), |a| {
                sum_elements(uncol(a).exp())
            })?;
            grad_ok(uncol, &d)
        });
        static_and_dynamic!((matrix::<U3, U2, B>(), matrix::<U3, U1, B>()), |v| {
            let (a, b) = v.split();
            hcat(a, b)
        });
        static_and_dynamic!((matrix::<U2, U3, B>(), matrix::<U1, U3, B>()), |v| {
            let (a, b) = v.split();
            vcat(a, b)
        });
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| split_rows::<U1, _, _, _>(a));
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| split_cols::<U1, _, _, _>(a));
        run(matrix::<U3, U2, B>(), |a| {
            static_and_dynamic(&a, split_rows::<U1, _, _, _>, |a| {
                try_split_rows_at(a, 1).expect("1 ≤ 3 rows")
            })?;
            static_and_dynamic(&a, split_cols::<U1, _, _, _>, |a| {
                try_split_cols_at(a, 1).expect("1 ≤ 2 columns")
            })
        });
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| to_rows(a));
        static_and_dynamic!(matrix::<U3, U2, B>(), |a| to_columns(a));
        run((vector::<U2, B>(), vector::<U2, B>(), vector::<U2, B>()), |xs| {
            static_and_dynamic(
                &xs,
                |v| {
                    let (a, b, c) = v.split();
                    from_rows::<U3, U2, B>(&[a, b, c])
                },
                |v| {
                    let (a, b, c) = v.split();
                    from_rows::<Dyn, Dyn, B>(&[a, b, c])
                },
            )?;
            static_and_dynamic(
                &xs,
                |v| {
                    let (a, b, c) = v.split();
                    from_columns::<U2, U3, B>(&[a, b, c])
                },
                |v| {
                    let (a, b, c) = v.split();
                    from_columns::<Dyn, Dyn, B>(&[a, b, c])
                },
            )
        });
        run((scalar(), scalar(), scalar(), scalar()), |xs| {
            let (p, q, r, s) = xs;
            let pair = ((p, q), (r, s));
            static_and_dynamic(
                &pair,
                |v| {
                    let ((a, b), (c, d)) = (v.split().0.split(), v.split().1.split());
                    backprop_linalg::matrix::<U2, U2, B>(&[a, b, c * d, d])
                },
                |v| {
                    let ((a, b), (c, d)) = (v.split().0.split(), v.split().1.split());
                    try_matrix_shape::<Dyn, Dyn, B>(2, 2, &[a, b, c * d, d]).expect("2×2")
                },
            )
        });
    }

    fn decompositions<B: Double>() {
        static_and_dynamic!(separated_singular::<U3, U2, B>(), |a| svd(a));
        static_and_dynamic!(separated_singular::<U3, U2, B>(), |a| {
            let (u, s, v) = svd_(a).split();
            (u_vt(u, v), s, sandwich(v, 2)).join()
        });
        static_and_dynamic!(separated_singular::<U3, U2, B>(), |a| {
            let (u, s, v) = svd_tall(a).split();
            (thin_sandwich(u), s, thin_sandwich(v)).join()
        });
        static_and_dynamic!(separated_singular::<U2, U3, B>(), |a| {
            let (u, s, v) = svd_flat(a).split();
            (thin_sandwich(u), s, thin_sandwich(v)).join()
        });
        static_and_dynamic!(separated_singular::<U3, U2, B>(), |a| pinv(a));
        static_and_dynamic!(sym_separated::<U3, B>(), |a| {
            let (lambda, v) = eigensystem(a).split();
            (lambda, sandwich(v, 3)).join()
        });
        static_and_dynamic!(sym_separated::<U3, B>(), |a| eigenvalues(a));

        static_and_dynamic!(spd::<U3, B>(), |a| chol(a));
        static_and_dynamic!((spd::<U3, B>(), matrix::<U3, U2, B>()), |v| {
            let (a, b) = v.split();
            chol_solve(chol(a), b)
        });
        static_and_dynamic!(separated_singular::<U3, U2, B>(), |a| qr(a));
        static_and_dynamic!(
            (separated_singular::<U3, U2, B>(), matrix::<U3, U2, B>()),
            |v| {
                let (a, b) = v.split();
                lstsq(a, b)
            }
        );
        // Wide: the least-norm `lstsq`, `lq`, and `qr_wide`.
        static_and_dynamic!(
            (separated_singular::<U2, U3, B>(), matrix::<U2, U2, B>()),
            |v| {
                let (a, b) = v.split();
                lstsq(a, b)
            }
        );
        static_and_dynamic!(separated_singular::<U2, U3, B>(), |a| backprop_linalg::lq(a));
        static_and_dynamic!(backprop_tests::gradcheck::wide_leading_block::<U2, U3, B>(), |a| {
            backprop_linalg::qr_wide(a)
        });
    }

    fn solves_determinants_and_matrix_functions<B: Double>() {
        static_and_dynamic!((invertible::<U3, B>(), matrix::<U3, U2, B>()), |v| {
            let (a, b) = v.split();
            lin_solve(a, b)
        });
        static_and_dynamic!((invertible::<U3, B>(), vector::<U3, B>()), |v| {
            let (a, b) = v.split();
            lin_solve_v(a, b)
        });
        static_and_dynamic!(
            (triangular::<U3, B>(Triangle::Upper), matrix::<U3, U2, B>()),
            |v| {
                let (a, b) = v.split();
                triangular_solve(a, b, Triangle::Upper)
            }
        );
        static_and_dynamic!(invertible::<U3, B>(), |a| det(a));
        static_and_dynamic!(invertible::<U3, B>(), |a| inv(a));
        static_and_dynamic!(invertible::<U3, B>(), |a| lndet(a));
        static_and_dynamic!(invertible::<U3, B>(), |a| invlndet(a));
        static_and_dynamic!(invertible::<U3, B>(), |a| slogdet(a));
        static_and_dynamic!(small_norm::<U3, B>(true), |a| expm(a));
        static_and_dynamic!(principal_root_input::<U3, B>(), |a| sqrtm(a));
        static_and_dynamic!(principal_root_input::<U3, B>(), |a| backprop_linalg::logm(a));
        static_and_dynamic!(backprop_tests::gradcheck::lu_input::<U3, B>(), |a| backprop_linalg::lu(a));
        static_and_dynamic!(symmetric::<U3, B>(), |a| backprop_linalg::sym_exp(a));
        static_and_dynamic!(spd::<U3, B>(), |a| backprop_linalg::sym_log(a));
        static_and_dynamic!(spd::<U3, B>(), |a| backprop_linalg::sym_sqrt(a));
        static_and_dynamic!(spd::<U3, B>(), |a| backprop_linalg::sym_pow(a, -0.5));
    }

    fn statistics_and_norms<B: Double>() {
        static_and_dynamic!(vector::<U4, B>(), |x| mean(x));
        static_and_dynamic!(matrix::<U4, U2, B>(), |x| mean_l(x));
        static_and_dynamic!(matrix::<U4, U2, B>(), |x| cov(x));
        static_and_dynamic!(matrix::<U4, U2, B>(), |x| mean_cov(x));
        static_and_dynamic!(separated_vector::<U4, B>(), |x| norm_0(x));
        static_and_dynamic!(separated_vector::<U4, B>(), |x| norm_1v(x));
        static_and_dynamic!(vector::<U4, B>(), |x| norm_2v(x));
        static_and_dynamic!(separated_vector::<U4, B>(), |x| norm_inf_v(x));
        static_and_dynamic!(separated_matrix::<U3, U2, B>(), |a| norm_1m(a));
        static_and_dynamic!(separated_singular::<U3, U2, B>(), |a| norm_2m(a));
        static_and_dynamic!(separated_matrix::<U3, U2, B>(), |a| norm_inf_m(a));
    }

    /// The convolutions at static and run-time sizes, then at random run-time sizes (kernels
    /// from one entry to as large as the signal).
    fn convolutions<B: Double>() {
        use backprop_linalg::{conv, conv2, corr, corr2};
        static_and_dynamic!((vector::<U2, B>(), vector::<U4, B>()), |v| {
            let (k, x) = v.split();
            conv(k, x)
        });
        static_and_dynamic!((vector::<U2, B>(), vector::<U4, B>()), |v| {
            let (k, x) = v.split();
            corr(k, x)
        });
        static_and_dynamic!((matrix::<U2, U1, B>(), matrix::<U3, U2, B>()), |v| {
            let (k, x) = v.split();
            conv2(k, x)
        });
        static_and_dynamic!((matrix::<U2, U1, B>(), matrix::<U3, U2, B>()), |v| {
            let (k, x) = v.split();
            corr2(k, x)
        });
        let inputs = (1usize..=3, 1usize..=3, 0usize..=2, 0usize..=2).prop_flat_map(|(p, q, dm, dn)| {
            (dyn_matrix::<B>(p, q), dyn_matrix::<B>(p + dm, q + dn))
        });
        run(inputs, |kx| {
            grad_ok(|v| { let (k, x) = v.split(); conv2(k, x) }, &kx)?;
            grad_ok(|v| { let (k, x) = v.split(); corr2(k, x) }, &kx)
        });
    }

    fn maps<B: Double>() {
        static_and_dynamic!((vector::<U3, B>(), scalar()), |v| {
            let (x, a) = v.split();
            vmap(|e| e.sin() * a + e * e, x)
        });
        static_and_dynamic!(vector::<U3, B>(), |x| vmap_(|e| e.sin() * e, x));
        static_and_dynamic!(vector::<U3, B>(), |x| dvmap(|e| e.exp() / (e * e + 1.0), x));
        static_and_dynamic!((matrix::<U3, U2, B>(), scalar()), |v| {
            let (x, a) = v.split();
            mmap(|e| (e * a).cos() + a, x)
        });
        static_and_dynamic!(matrix::<U2, U3, B>(), |x| mmap_(|e| e.cos() * e, x));
        static_and_dynamic!(matrix::<U2, U3, B>(), |x| dmmap(|e| e.atan() * e, x));
        static_and_dynamic!((vector::<U3, B>(), vector::<U3, B>(), scalar()), |v| {
            let (x, y, a) = v.split();
            zip_with_vector(|p, q| p * q * a + (p - a).sin(), x, y)
        });
        static_and_dynamic!((vector::<U3, B>(), vector::<U3, B>()), |v| {
            let (x, y) = v.split();
            zip_with_vector_(|p, q| p * q.sin(), x, y)
        });
        static_and_dynamic!((vector::<U3, B>(), vector::<U3, B>()), |v| {
            let (x, y) = v.split();
            dzip_with_vector(|p, q| (p * q).cos(), x, y)
        });
    }

    fn complex_and_hermitian<B: ComplexDouble>() {
        // The general eigendecomposition: real input, complex output.
        static_and_dynamic!(backprop_tests::gradcheck::eig_input::<U3, B>(), |a| {
            backprop_linalg::eigenvalues_general(a)
        });
        static_and_dynamic!(backprop_tests::gradcheck::eig_input::<U3, B>(), |a| {
            let (lambda, v) = backprop_linalg::eig(a).split();
            let (forms, moduli) = backprop_tests::gauge::phase_invariants(v);
            (lambda, forms, moduli).join()
        });
        let wide = Matrix::<B>::from_fn_shape(2, 3, |i, j| (i + j) as f64);
        refuses("eig", &wide, |a| backprop_linalg::try_eig(a), |a| backprop_linalg::eig(a));
        static_and_dynamic!((vector::<U3, B>(), vector::<U3, B>()), |v| {
            let (x, y) = v.split();
            to_complex(x, y)
        });
        static_and_dynamic!(complex_vector::<U3, B>(), |z| from_complex(z));
        static_and_dynamic!(vector::<U3, B>(), |x| complex(x));
        static_and_dynamic!(complex_vector::<U3, B>(), |z| real(z));
        static_and_dynamic!(complex_vector::<U3, B>(), |z| imag(z));
        static_and_dynamic!(complex_vector::<U3, B>(), |z| sq_magnitude(z));
        static_and_dynamic!(nonzero_complex_vector::<U3, B>(), |z| magnitude(z));
        static_and_dynamic!((complex_vector::<U3, B>(), complex_vector::<U3, B>()), |v| {
            let (x, y) = v.split();
            dot_c(x, y)
        });
        static_and_dynamic!(
            (complex_matrix::<U3, U2, B>(), complex_matrix::<U2, U3, B>()),
            |v| {
                let (a, b) = v.split();
                mul_c(a, b)
            }
        );
        static_and_dynamic!((complex_matrix::<U3, U2, B>(), complex_vector::<U2, B>()), |v| {
            let (a, x) = v.split();
            app_c(a, x)
        });
        static_and_dynamic!((complex_vector::<U3, B>(), complex_vector::<U2, B>()), |v| {
            let (x, y) = v.split();
            outer_c(x, y)
        });
        static_and_dynamic!(complex_matrix::<U3, U3, B>(), |a| her(a));
        static_and_dynamic!(
            complex_matrix::<U3, U3, B>().prop_map(|a| Her::from_m(&a)),
            |h| un_her(h)
        );
        static_and_dynamic!(complex_matrix::<U3, U2, B>(), |x| m_hm(x));
    }

    /// Every op whose operands' sizes the types cannot tie together when a size is run-time,
    /// given operands that do not fit: the `try_` form returns the error naming the op, records
    /// nothing and leaves the tape usable; the plain form panics with the same message, at the
    /// caller's line (this file's).
    fn shape_mismatches_are_refused<B: Double>() {
        let m = |r, c| Matrix::<B>::from_fn_shape(r, c, |i, j| 1.0 + (i * c + j) as f64 / 7.0);
        let v = |n| Vector::<B>::from_fn_len(n, |i| 1.0 + i as f64);
        // Products.
        refuses2("mul", &(m(2, 3), m(2, 3)), |a, b| try_mul(a, b), |a, b| mul(a, b));
        refuses2("app", &(m(2, 3), v(2)), |a, x| try_app(a, x), |a, x| app(a, x));
        refuses2("dot", &(v(2), v(3)), |x, y| try_dot(x, y), |x, y| dot(x, y));
        refuses3("affine", &(m(2, 3), v(3), v(3)), |w, x, b| try_affine(w, x, b), |w, x, b| affine(w, x, b));
        refuses3("affine_cols", &(m(2, 3), m(3, 2), v(3)), |w, x, b| try_affine_cols(w, x, b), |w, x, b| affine_cols(w, x, b));
        refuses3("affine_cols", &(m(2, 3), m(2, 2), v(2)), |w, x, b| try_affine_cols(w, x, b), |w, x, b| affine_cols(w, x, b));
        refuses2("add_to_cols", &(m(2, 3), v(3)), |a, x| try_add_to_cols(a, x), |a, x| add_to_cols(a, x));
        // The element-wise operators: their `try_` forms, and the operators themselves.
        refuses2("add", &(m(2, 3), m(3, 2)), try_add, |a, b| a + b);
        refuses2("sub", &(v(2), v(3)), try_sub, |a, b| a - b);
        refuses2("hadamard", &(m(2, 3), m(2, 2)), try_hadamard, |a, b| a * b);
        refuses2("div", &(v(3), v(1)), try_div, |a, b| a / b);
        // Joins and splits.
        refuses2("hcat", &(m(2, 3), m(3, 3)), |a, b| try_hcat(a, b), |a, b| hcat(a, b));
        refuses2("vcat", &(m(2, 3), m(2, 2)), |a, b| try_vcat(a, b), |a, b| vcat(a, b));
        refuses("split", &v(1), |x| try_split::<U2, _, _>(x), |x| split::<U2, _, _>(x));
        refuses("split_at", &v(2), |x| try_split_at(x, 3), |x| split_at(x, 3));
        refuses("head_tail", &v(0), |x| try_head_tail(x), |x| head_tail(x));
        refuses("split_rows", &m(1, 2), |a| try_split_rows::<U2, _, _, _>(a), |a| split_rows::<U2, _, _, _>(a));
        refuses("split_cols", &m(2, 2), |a| try_split_cols::<U3, _, _, _>(a), |a| split_cols::<U3, _, _, _>(a));
        refuses("split_rows_at", &m(2, 2), |a| try_split_rows_at(a, 3), |a| split_rows_at(a, 3));
        refuses("split_cols_at", &m(2, 2), |a| try_split_cols_at(a, 3), |a| split_cols_at(a, 3));
        refuses2("from_rows", &(v(2), v(3)), |a, b| try_from_rows::<Dyn, Dyn, B>(&[a, b]), |a, b| from_rows::<Dyn, Dyn, B>(&[a, b]));
        refuses2("from_columns", &(v(2), v(3)), |a, b| try_from_columns::<Dyn, Dyn, B>(&[a, b]), |a, b| from_columns::<Dyn, Dyn, B>(&[a, b]));
        refuses("matrix", &1.5, |x| try_matrix_shape::<Dyn, Dyn, B>(2, 2, &[x, x, x]), |x| or_panic(try_matrix_shape::<Dyn, Dyn, B>(2, 2, &[x, x, x])));
        refuses2("zip_with_vector", &(v(2), v(3)), |x, y| try_zip_with_vector(|a, b| a * b, x, y), |x, y| zip_with_vector(|a, b| a * b, x, y));
        refuses2("zip_with_vector_", &(v(2), v(3)), |x, y| try_zip_with_vector_(|a, b| a * b, x, y), |x, y| zip_with_vector_(|a, b| a * b, x, y));
        refuses2("dzip_with_vector", &(v(2), v(3)), |x, y| try_dzip_with_vector(|a, b| a * b, x, y), |x, y| dzip_with_vector(|a, b| a * b, x, y));
        // Square matrices that are not.
        refuses("sym", &m(2, 3), |a| try_sym(a), |a| sym(a));
        refuses("trace", &m(2, 3), |a| try_trace(a), |a| trace(a));
        refuses("take_diag", &m(2, 3), |a| try_take_diag(a), |a| take_diag(a));
        refuses("det", &m(2, 3), |a| try_det(a), |a| det(a));
        refuses("inv", &m(2, 3), |a| try_inv(a), |a| inv(a));
        refuses("lndet", &m(2, 3), |a| try_lndet(a), |a| lndet(a));
        refuses("invlndet", &m(2, 3), |a| try_invlndet(a), |a| invlndet(a));
        refuses("slogdet", &m(2, 3), |a| try_slogdet(a), |a| slogdet(a));
        refuses("expm", &m(2, 3), |a| try_expm(a), |a| expm(a));
        refuses("sqrtm", &m(2, 3), |a| try_sqrtm(a), |a| sqrtm(a));
        refuses("logm", &m(2, 3), |a| backprop_linalg::try_logm(a), |a| backprop_linalg::logm(a));
        // Solves.
        let square = || Matrix::<B>::from_fn_shape(2, 2, |i, j| if i == j { 2.0 } else { 0.5 });
        refuses2("lin_solve", &(square(), m(3, 1)), |a, b| try_lin_solve(a, b), |a, b| lin_solve(a, b));
        refuses2("lin_solve", &(m(2, 3), m(2, 1)), |a, b| try_lin_solve(a, b), |a, b| lin_solve(a, b));
        refuses2("lin_solve", &(square(), v(3)), |a, b| try_lin_solve_v(a, b), |a, b| lin_solve_v(a, b));
        refuses2("triangular_solve", &(square(), m(3, 1)), |a, b| try_triangular_solve(a, b, Triangle::Upper), |a, b| triangular_solve(a, b, Triangle::Upper));
        refuses2("chol_solve", &(square(), m(3, 1)), |r, b| try_chol_solve(r, b), |r, b| chol_solve(r, b));
        // Tall and wide matrices that are not.
        refuses("qr", &m(2, 3), |a| try_qr(a), |a| qr(a));
        refuses("lq", &m(3, 2), |a| backprop_linalg::try_lq(a), |a| backprop_linalg::lq(a));
        refuses("qr_wide", &m(3, 2), |a| backprop_linalg::try_qr_wide(a), |a| backprop_linalg::qr_wide(a));
        refuses("svd_tall", &m(2, 3), |a| try_svd_tall(a), |a| svd_tall(a));
        refuses("svd_flat", &m(3, 2), |a| try_svd_flat(a), |a| svd_flat(a));
        refuses2("lstsq", &(m(3, 2), m(2, 1)), |a, b| try_lstsq(a, b), |a, b| lstsq(a, b));
        // Statistics of too few observations.
        refuses("mean", &v(0), |x| try_mean(x), |x| mean(x));
        refuses("mean_l", &m(0, 2), |x| try_mean_l(x), |x| mean_l(x));
        refuses("cov", &m(1, 2), |x| try_cov(x), |x| cov(x));
        refuses("mean_cov", &m(1, 2), |x| try_mean_cov(x), |x| mean_cov(x));
    }

    fn complex_shape_mismatches_are_refused<B: ComplexDouble>() {
        let z = |n| C::<Dyn, B>::from_fn_len(n, |i| Complex64::new(1.0 + i as f64, -0.5));
        let w = |r, c| M::<Dyn, Dyn, B>::from_fn_shape(r, c, |i, j| Complex64::new(i as f64, 1.0 + j as f64));
        let v = |n| Vector::<B>::from_fn_len(n, |i| 1.0 + i as f64);
        refuses2("to_complex", &(v(2), v(3)), |x, y| try_to_complex(x, y), |x, y| to_complex(x, y));
        refuses2("dot_c", &(z(2), z(3)), |x, y| try_dot_c(x, y), |x, y| dot_c(x, y));
        refuses2("mul_c", &(w(2, 3), w(2, 3)), |a, b| try_mul_c(a, b), |a, b| mul_c(a, b));
        refuses2("app_c", &(w(2, 3), z(2)), |a, x| try_app_c(a, x), |a, x| app_c(a, x));
        refuses2("hadamard", &(z(2), z(3)), try_hadamard, |a, b| a * b);
        refuses2("add", &(w(2, 3), w(3, 2)), try_add, |a, b| a + b);
        refuses("her", &w(2, 3), |a| try_her(a), |a| her(a));
    }

    /// Products, joins and reductions over random run-time sizes, empty ones included: the
    /// gradient against central differences (an empty operand has an empty gradient; a
    /// product through an empty inner size is a zero matrix).
    fn random_sizes_products_and_joins<B: Double>() {
        let shapes = (size(), size(), size()).prop_flat_map(|(m, k, n)| {
            (dyn_matrix::<B>(m, k), dyn_matrix::<B>(k, n), dyn_vector::<B>(m), dyn_matrix::<B>(m, n))
        });
        run(shapes, |(a, b, v, c)| {
            let ab = (a.clone(), b.clone());
            grad_ok(|p| { let (a, b) = p.split(); mul(a, b) }, &ab)?;
            grad_ok(|p| { let (a, b) = p.split(); affine_cols(a, b, p.tape().constant(v.clone())) }, &ab)?;
            grad_ok(|p| { let (a, c) = p.split(); vcat(tr(a), tr(c)) }, &(a.clone(), c.clone()))?;
            grad_ok(|p| { let (c, v) = p.split(); hcat(add_to_cols(c, v), col(v)) }, &(c.clone(), v.clone()))?;
            grad_ok(|a| sum_elements(a), &a)?;
            grad_ok(|v| dot(v, v) + norm_2v(v) * 0.0, &v)?;
            // The sum of an empty matrix is 0 (summation order may differ: rounding only).
            let s = backprop_linalg::eval_bp(sum_elements, &a);
            let expected: f64 = a.to_row_major().iter().sum();
            prop_assert!((s - expected).abs() <= 1e-14 * expected.abs().max(1.0));
            Ok(())
        });
    }

    /// Decompositions, statistics, norms and splits over random run-time sizes (0 and 1
    /// included wherever the op is defined there): singular values of any shape, eigenvalues,
    /// `qr` of a tall matrix, the mean of at least one entry, the covariance of at least two
    /// observations.
    fn random_sizes_decompositions_and_reductions<B: Double>() {
        let inputs = (size(), size(), 1usize..=4, 2usize..=4).prop_flat_map(|(m, n, k, obs)| {
            (
                dyn_matrix::<B>(m, n),
                dyn_spd::<B>(n),
                dyn_vector::<B>(k),
                dyn_matrix::<B>(obs, n),
                0..=k,
            )
        });
        run(inputs, |(a, s, v, x, cut)| {
            let (m, n) = a.shape();
            let sigma = backprop_linalg::eval_bp(svd, &a);
            prop_assert_eq!(sigma.len(), n);
            // Singular values are smooth where they are distinct; the SVD of a random matrix
            // is checked through its values' sum of squares, ‖A‖²_F, smooth everywhere.
            grad_ok(|a| { let s = svd(a); dot(s, s) }, &a)?;
            grad_ok(|s| sum_elements(eigenvalues(s)), &s)?;
            if m >= n {
                // Refused only if numerically rank deficient, which random entries never are
                // but by a fluke; otherwise `R` is `n×n`.
                let r = std::cell::RefCell::new(None);
                backprop_linalg::eval_bp(|a| { *r.borrow_mut() = Some(try_qr(a).map(|f| f.value().1.shape())); a }, &a);
                let shape = r.into_inner().expect("ran");
                prop_assert!(matches!(shape, Ok(s) if s == (n, n)) || matches!(shape, Err(LinalgError::Singular { .. })), "{shape:?}");
            }
            grad_ok(mean, &v)?;
            grad_ok(cov, &x)?;
            grad_ok(mean_l, &x)?;
            // ‖v‖ has a kink at 0: a short vector near it would put the kink within the
            // central differences' reach.
            if backprop_linalg::eval_bp(norm_2v, &v) > 0.1 {
                grad_ok(norm_2v, &v)?;
            }
            grad_ok(|v| split_at(v, cut), &v)?;
            grad_ok(|v| append(v, v), &v)
        });
    }

    /// The remaining families over random run-time sizes (0 and 1 included where the op is
    /// defined there): the thin and full SVDs and `pinv` of matrices with separated singular
    /// values, `lstsq` (tall and wide), `lq`, `triangular_solve`, `lndet`/`slogdet`, `expm`, `sqrtm` and `logm` of a matrix near
    /// the identity, the maps, rows and columns, and the complex products.
    fn random_sizes_remaining_families<B: ComplexDouble>() {
        let inputs = (size(), size(), size()).prop_flat_map(|(m, n, k)| {
            let (tall, wide) = (m.max(n), m.min(n));
            (
                separated(tall, wide),
                dyn_invertible::<B>(n),
                (dyn_matrix::<B>(tall, k), dyn_matrix::<B>(wide, k)),
                dyn_matrix::<B>(n, n),
                (dyn_vector::<B>(m), dyn_vector::<B>(m)),
                (dyn_matrix::<B>(m, k), dyn_matrix::<B>(m, k), dyn_matrix::<B>(k, n)),
                dyn_matrix::<B>(n, 2),
            )
        });
        run(inputs, |(a, inv, (b, b_wide), small, (x, y), (p, q, r), rhs)| {
            let (tall, wide) = a.shape();
            // Thin SVDs through gauge-invariant functions; the full one through `U·E·Vᵀ`.
            grad_ok(|a| { let (u, s, v) = svd_tall(a).split(); (thin_sandwich(u), s, thin_sandwich(v)).join() }, &a)?;
            let at = backprop_linalg::eval_bp(tr, &a);
            grad_ok(|a| { let (u, s, v) = svd_flat(a).split(); (thin_sandwich(u), s, thin_sandwich(v)).join() }, &at)?;
            grad_ok(|a| { let (u, s, v) = svd_(a).split(); (u_vt(u, v), s).join() }, &a)?;
            grad_ok(pinv, &a)?;
            grad_ok(|v| { let (a, b) = v.split(); lstsq(a, b) }, &(a.clone(), b.clone()))?;
            // Wide: the least-norm solution and `lq` of `Aᵀ`.
            grad_ok(|v| { let (a, b) = v.split(); lstsq(a, b) }, &(at.clone(), b_wide))?;
            grad_ok(backprop_linalg::lq, &at)?;
            let n = inv.shape().0;
            let upper = Matrix::<B>::from_fn_shape(n, n, |i, j| {
                if i == j { 2.0 + inv.get(i, j).abs() } else if i < j { 0.3 * inv.get(i, j) } else { 0.0 }
            });
            grad_ok(|v| { let (u, b) = v.split(); triangular_solve(u, b, Triangle::Upper) }, &(upper, rhs))?;
            grad_ok(lndet, &inv)?;
            grad_ok(slogdet, &inv)?;
            // ‖A‖ ≤ 0.5 for `expm`; `I + A/(4n)` has its spectrum near 1 for `sqrtm`.
            let scaled = Matrix::<B>::from_fn_shape(n, n, |i, j| small.get(i, j) / (4.0 * n.max(1) as f64));
            grad_ok(expm, &scaled)?;
            let near_identity = Matrix::<B>::from_fn_shape(n, n, |i, j| f64::from(u8::from(i == j)) + scaled.get(i, j));
            grad_ok(sqrtm, &near_identity)?;
            grad_ok(backprop_linalg::logm, &near_identity)?;
            // Maps, element-wise, rows and columns.
            grad_ok(|x| vmap(|e| e.sin() * e, x), &x)?;
            grad_ok(|v| { let (x, y) = v.split(); zip_with_vector_(|a, b| a * b.cos(), x, y) }, &(x.clone(), y.clone()))?;
            grad_ok(|p| mmap_(|e| e.tanh(), p), &p)?;
            grad_ok(to_rows, &p)?;
            grad_ok(to_columns, &p)?;
            // Complex products of run-time sizes.
            let (m, k) = p.shape();
            let z = M::<Dyn, Dyn, B>::from_fn_shape(m, k, |i, j| Complex64::new(p.get(i, j), q.get(i, j)));
            let w = M::<Dyn, Dyn, B>::from_fn_shape(k, r.shape().1, |i, j| Complex64::new(r.get(i, j), -r.get(i, j)));
            grad_ok(|v| { let (z, w) = v.split(); mul_c(z, w) }, &(z.clone(), w))?;
            grad_ok(m_hm, &z)?;
            grad_ok(|v| { let (x, y) = v.split(); to_complex(x, y) }, &(x, y))?;
            prop_assert!(tall >= wide);
            Ok(())
        });
    }

    /// The second order at run-time sizes (0 to 3): full Hessians through the decompositions
    /// (chol and its solve, inv, det, lndet, qr, the full SVD and pinv), the matrix functions
    /// near the identity, and the structural ops and maps, sizes read from the values.
    fn random_sizes_second_order<B: Double>() {
        let inputs = (0usize..=3, 0usize..=3).prop_flat_map(|(m, n)| {
            let (tall, wide) = (m.max(n), m.min(n));
            (
                separated(tall, wide),
                dyn_spd::<B>(n),
                dyn_invertible::<B>(n),
                dyn_matrix::<B>(n, n),
                dyn_matrix::<B>(n, 1),
            )
        });
        run(inputs, |(a, s, inv_input, small, b)| {
            let n = s.size();
            hvp_ok(|v| {
                let (s, b) = v.split();
                let r = chol(s);
                sum_elements(b * chol_solve(r, b)) * -0.5 - sum_elements(take_diag(r).ln())
            }, &(s, b))?;
            hvp_ok(|a| det(a) * det(a) + lndet(a) + sum_elements(inv(a).sin()), &inv_input)?;
            hvp_ok(|a| {
                let (q, r) = qr(a).split();
                let (u, sigma, v) = svd_(a).split();
                sum_elements(q.sin()) + sum_elements(r * r * r) + sum_elements(u_vt(u, v).sin())
                    + sum_elements(sigma * sigma * sigma) + sum_elements(pinv(a).cos())
            }, &a)?;
            // ‖A‖ ≤ 0.5 for `expm`; `I + A/(4n)` has its spectrum near 1 for `sqrtm`/`logm`.
            let scaled = Matrix::<B>::from_fn_shape(n, n, |i, j| small.get(i, j) / (4.0 * n.max(1) as f64));
            hvp_ok(|a| sum_elements(expm(a).sin()), &scaled)?;
            let near_identity = Matrix::<B>::from_fn_shape(n, n, |i, j| f64::from(u8::from(i == j)) + scaled.get(i, j));
            hvp_ok(|a| sum_elements(sqrtm(a) * backprop_linalg::logm(a)), &near_identity)?;
            if a.shape().0 == 0 {
                // No rows to rebuild the matrix from (`from_rows` refuses none).
                return Ok(());
            }
            hvp_ok(|a| {
                let rows = to_rows(a).split();
                let back: BVar<'_, Matrix<B>> = from_rows(&rows);
                let joined = vcat(hcat(back, a.sin()), hcat(a.cos(), dmmap(|e| e * e.sin(), a)));
                sum_elements(mmap_(|e| e.tanh() * e, joined))
            }, &a)
        });
    }

    /// Square ops over random run-time sizes, 0×0 included: `chol` of a 0×0 is a 0×0.
    fn random_sizes_square_ops<B: Double>() {
        let inputs = size().prop_flat_map(|n| (dyn_spd::<B>(n), dyn_invertible::<B>(n), dyn_matrix::<B>(n, 2)));
        run(inputs, |(s, a, b)| {
            let n = s.size();
            grad_ok(chol, &s)?;
            prop_assert_eq!(backprop_linalg::eval_bp(chol, &s).shape(), (n, n));
            grad_ok(|p| { let (a, b) = p.split(); lin_solve(a, b) }, &(a.clone(), b.clone()))?;
            grad_ok(|p| { let (s, b) = p.split(); chol_solve(chol(s), b) }, &(s.clone(), b.clone()))?;
            grad_ok(inv, &a)?;
            grad_ok(det, &a)?;
            grad_ok(trace, &a)?;
            grad_ok(|a| m_tm(a), &b)
        });
    }
}

/// Checks `try_op` and the plain `op` on operands whose sizes do not fit (see
/// `shape_mismatches_are_refused`): `tried` runs the `try_` form and says how many nodes it
/// recorded; the wrappers [`refuses`], [`refuses2`] and [`refuses3`] take the operands apart
/// first, so only the op's own nodes count.
fn refusal<X, T, FT, FP>(op: &str, x: &X, tried: FT, plain: FP)
where
    X: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    T: Backprop,
    FT: for<'t> Fn(BVar<'t, X>) -> (Result<BVar<'t, T>, LinalgError>, usize),
    FP: for<'t> Fn(BVar<'t, X>) -> BVar<'t, T>,
{
    let outcome = std::cell::RefCell::new(None);
    // The input's gradient after the failed op is `one`: the tape went on working.
    let (_, gradient) = backprop(
        |x| {
            let (result, recorded) = tried(x);
            *outcome.borrow_mut() = Some((result.err(), recorded));
            x
        },
        x,
    );
    let (error, recorded) = outcome.into_inner().expect("the closure ran");
    let error = error.unwrap_or_else(|| panic!("{op}: accepted operands that do not fit: {x:?}"));
    assert!(
        matches!(
            error,
            LinalgError::ShapeMismatch { .. } | LinalgError::OutOfBounds { .. }
        ) && error.op() == op,
        "{op}: wrong error {error:?}"
    );
    assert_eq!(recorded, 0, "{op}: the failed op recorded {recorded} nodes");
    assert!(
        coords(&gradient) == coords(&x.one()),
        "{op}: the tape was left unusable"
    );
    let (file, _, message) = panic_site(|| {
        backprop(&plain, x);
    });
    assert_eq!(message, error.to_string(), "{op}: the plain form's message");
    assert_eq!(
        file,
        file!(),
        "{op}: the panic is not reported at the caller's line"
    );
}

/// `tried(x)` and the number of nodes it recorded.
fn counted<'t, T>(
    tape: &'t backprop_linalg::Tape<'t>,
    tried: impl FnOnce() -> Result<BVar<'t, T>, LinalgError>,
) -> (Result<BVar<'t, T>, LinalgError>, usize) {
    let before = tape.len();
    let result = tried();
    (result, tape.len() - before)
}

/// [`refusal`] for an op of one operand.
fn refuses<X, T>(
    op: &str,
    x: &X,
    tried: impl for<'t> Fn(BVar<'t, X>) -> Result<BVar<'t, T>, LinalgError>,
    plain: impl for<'t> Fn(BVar<'t, X>) -> BVar<'t, T>,
) where
    X: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    T: Backprop,
{
    refusal(op, x, |x| counted(x.tape(), || tried(x)), plain);
}

/// [`refusal`] for an op of two operands.
fn refuses2<X, Y, T>(
    op: &str,
    x: &(X, Y),
    tried: impl for<'t> Fn(BVar<'t, X>, BVar<'t, Y>) -> Result<BVar<'t, T>, LinalgError>,
    plain: impl for<'t> Fn(BVar<'t, X>, BVar<'t, Y>) -> BVar<'t, T>,
) where
    X: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    Y: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    T: Backprop,
{
    refusal(
        op,
        x,
        |p| {
            let (a, b) = p.split();
            counted(p.tape(), || tried(a, b))
        },
        |p| {
            let (a, b) = p.split();
            plain(a, b)
        },
    );
}

/// [`refusal`] for an op of three operands.
fn refuses3<X, Y, Z, T>(
    op: &str,
    x: &(X, Y, Z),
    tried: impl for<'t> Fn(BVar<'t, X>, BVar<'t, Y>, BVar<'t, Z>) -> Result<BVar<'t, T>, LinalgError>,
    plain: impl for<'t> Fn(BVar<'t, X>, BVar<'t, Y>, BVar<'t, Z>) -> BVar<'t, T>,
) where
    X: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    Y: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    Z: Backprop + backprop_linalg::Coords + std::fmt::Debug,
    T: Backprop,
{
    refusal(
        op,
        x,
        |p| {
            let (a, b, c) = p.split();
            counted(p.tape(), || tried(a, b, c))
        },
        |p| {
            let (a, b, c) = p.split();
            plain(a, b, c)
        },
    );
}

/// The value of a `try_` form, or a panic with its error at the caller's line: the plain form
/// of an op that has only a `try_` form (`try_matrix_shape`).
#[track_caller]
fn or_panic<T>(r: Result<T, LinalgError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// An `m×n` matrix of run-time shape with singular values at least 0.5 apart (all ≥ 0.5).
fn separated<B: Double>(m: usize, n: usize) -> impl Strategy<Value = Matrix<B>> {
    backprop_tests::generators::separated_singular(m, n)
        .prop_map(|(a, _)| backprop_tests::dynamic::matrix_of(&a))
}

/// `x` with sizes `P×Q` (static, run-time or mixed), the same entries.
fn mixed<P: backprop_linalg::Dim, Q: backprop_linalg::Dim, B: Double>(
    x: &L<impl backprop_linalg::Dim, impl backprop_linalg::Dim, B>,
) -> L<P, Q, B> {
    x.clone().try_into_static::<P, Q>().expect("the same shape")
}

/// `f` at `x` and `g` at `y` (the same entries, other sizes) have the same gradient.
fn same_gradient<X, Y, F, G>(x: &X, y: &Y, f: F, g: G) -> Result<(), TestCaseError>
where
    X: backprop_linalg::Backprop + backprop_linalg::Coords,
    Y: backprop_linalg::Backprop + backprop_linalg::Coords,
    F: for<'t> Fn(BVar<'t, X>) -> BVar<'t, f64>,
    G: for<'t> Fn(BVar<'t, Y>) -> BVar<'t, f64>,
{
    prop_assert_eq!(coords(&grad_bp(f, x)), coords(&grad_bp(g, y)));
    Ok(())
}

/// The coordinates of a value, in `Coords` order.
fn coords<T: backprop_linalg::Coords>(x: &T) -> Vec<f64> {
    let mut out = Vec::new();
    x.write_coords(&mut out);
    out
}
