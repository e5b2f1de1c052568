//! One conformance suite for every backend: each property is a generic function over
//! `B: Factorize<f64>`, and `conformance!` instantiates all of them in a module named after the
//! backend (`faer::lu_inverse_roundtrip`, `nalgebra::...`, `ndarray::...`) for every backend of
//! `backprop_tests::for_each_backend!`, the one list of backends. At the end, the checks across
//! backends: `cross_backend::all_backends_agree` (every backend's factors against the reference's,
//! faer's) and a regression run on every backend.
//!
//! Inputs are built from parameters (see `backprop_tests::generators`) so they stay
//! well-conditioned while shrinking. Tolerances scale with size: `1e-10·n·max(1, ‖A‖)`.

use backprop_backend::conventions::largest_entry;
use backprop_backend::{Factorize, LinalgBackend, LinalgError, Transpose, Triangle};
use backprop_tests::Dense;
use backprop_tests::generators::{
    any_matrix, diag_dominant, dim, matrix, separated_singular, spd, symmetric_separated, vector,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

type R = Result<(), TestCaseError>;

#[allow(clippy::cast_precision_loss)]
fn tol(n: usize, scale: f64) -> f64 {
    1e-10 * (n.max(1) as f64) * scale.max(1.0)
}

fn close(what: &str, got: &Dense, want: &Dense, t: f64) -> R {
    let d = got.max_diff(want);
    prop_assert!(
        d <= t,
        "{what}: max difference {d:e} > tolerance {t:e}\n got: {got:?}\nwant: {want:?}"
    );
    Ok(())
}

fn close_s(what: &str, got: f64, want: f64, t: f64) -> R {
    prop_assert!(
        (got - want).abs() <= t,
        "{what}: got {got}, want {want} (tolerance {t:e})"
    );
    Ok(())
}

fn vecd<B: LinalgBackend<f64>>(v: &B::Vector) -> Vec<f64> {
    B::vec_to_vec(v)
}

fn col_dense(v: &[f64]) -> Dense {
    Dense {
        rows: v.len(),
        cols: 1,
        data: v.to_vec(),
    }
}

fn orthonormal_columns(what: &str, q: &Dense, n: usize) -> R {
    close(
        what,
        &q.t().matmul(q),
        &Dense::identity(q.cols),
        tol(n, 1.0),
    )
}

fn sign_rule(what: &str, v: &Dense) -> R {
    for j in 0..v.cols {
        let c = v.col(j);
        if let Some(k) = largest_entry(&c) {
            prop_assert!(c[k] > 0.0, "{what}: column {j} breaks the sign rule: {c:?}");
        }
    }
    Ok(())
}

fn descending(what: &str, s: &[f64]) -> R {
    prop_assert!(
        s.windows(2).all(|w| w[0] >= w[1]),
        "{what}: not descending: {s:?}"
    );
    Ok(())
}

fn op_dense(a: &Dense, t: Transpose) -> Dense {
    if t.is_transposed() { a.t() } else { a.clone() }
}

const FLAGS: [Transpose; 3] = [Transpose::No, Transpose::Yes, Transpose::Adjoint];

// ----- decompositions -----

fn lu_inverse_roundtrip<B: Factorize<f64>>(a: &Dense) -> R {
    let n = a.rows;
    let inv = Dense::of::<B>(&B::inverse(&a.to::<B>()).unwrap());
    let t = tol(n, a.max_abs() * inv.max_abs());
    close("A·A⁻¹", &a.matmul(&inv), &Dense::identity(n), t)?;
    close("A⁻¹·A", &inv.matmul(a), &Dense::identity(n), t)
}

fn solve_residual<B: Factorize<f64>>(a: &Dense, b: &Dense) -> R {
    let x = Dense::of::<B>(&B::solve(&a.to::<B>(), &b.to::<B>()).unwrap());
    close(
        "A·X − B",
        &a.matmul(&x),
        b,
        tol(a.rows, a.max_abs() * x.max_abs()),
    )?;
    let bv: Vec<f64> = b.col(0);
    let xv = vecd::<B>(&B::solve_vec(&a.to::<B>(), &B::vec_from_slice(&bv)).unwrap());
    close(
        "A·x − b",
        &a.matmul(&col_dense(&xv)),
        &col_dense(&bv),
        tol(a.rows, a.max_abs() * x.max_abs()),
    )
}

fn lu_factors_and_det<B: Factorize<f64>>(a: &Dense) -> R {
    let n = a.rows;
    let lu = B::lu(&a.to::<B>()).unwrap();
    let (l, u) = (Dense::of::<B>(&lu.l), Dense::of::<B>(&lu.u));
    for i in 0..n {
        prop_assert!((l.at(i, i) - 1.0).abs() < 1e-15, "L has a unit diagonal");
        for j in i + 1..n {
            prop_assert!(l.at(i, j) == 0.0 && u.at(j, i) == 0.0, "L lower, U upper");
        }
    }
    let pa = Dense::from_fn(n, n, |i, j| a.at(lu.perm[i], j));
    close("P·A = L·U", &l.matmul(&u), &pa, tol(n, a.max_abs()))?;
    // perm_sign is the parity of the permutation.
    let mut seen = vec![false; n];
    let mut parity = 1.0;
    for s in 0..n {
        if !seen[s] {
            let mut len = 0;
            let mut k = s;
            while !seen[k] {
                seen[k] = true;
                k = lu.perm[k];
                len += 1;
            }
            if len % 2 == 0 {
                parity = -parity;
            }
        }
    }
    prop_assert_eq!(lu.perm_sign, parity);
    let pivots: f64 = (0..n).map(|i| u.at(i, i)).product();
    let det = B::det(&a.to::<B>()).unwrap();
    close_s(
        "det = sign·Π pivots",
        det,
        parity * pivots,
        tol(n, det.abs()),
    )?;
    let (ln, sign) = B::ln_abs_det(&a.to::<B>()).unwrap();
    prop_assert_eq!(sign, det.signum());
    close_s("ln|det|", ln, det.abs().ln(), tol(n, 1.0))
}

fn det_is_product_of_eigenvalues<B: Factorize<f64>>(a: &Dense, values: &[f64]) -> R {
    let want: f64 = values.iter().product();
    let det = B::det(&a.to::<B>()).unwrap();
    close_s("det = Π λ", det, want, tol(a.rows, want.abs()) * 10.0)
}

fn cholesky_reconstructs<B: Factorize<f64>>(a: &Dense) -> R {
    let n = a.rows;
    let l = Dense::of::<B>(&B::cholesky(&a.to::<B>()).unwrap());
    for i in 0..n {
        prop_assert!(l.at(i, i) > 0.0, "positive diagonal");
        for j in i + 1..n {
            prop_assert_eq!(l.at(i, j), 0.0, "L is lower triangular");
        }
    }
    close("L·Lᵀ = A", &l.matmul(&l.t()), a, tol(n, a.max_abs()))
}

fn sym_eigen_reconstructs<B: Factorize<f64>>(a: &Dense, drawn: &[f64]) -> R {
    let n = a.rows;
    let e = B::sym_eigen(&a.to::<B>()).unwrap();
    let (vals, v) = (vecd::<B>(&e.values), Dense::of::<B>(&e.vectors));
    descending("eigenvalues", &vals)?;
    let mut want = drawn.to_vec();
    want.sort_by(|x, y| y.total_cmp(x));
    close(
        "eigenvalues",
        &col_dense(&vals),
        &col_dense(&want),
        tol(n, a.max_abs()) * 10.0,
    )?;
    orthonormal_columns("VᵀV = I", &v, n)?;
    sign_rule("eigenvectors", &v)?;
    close(
        "V·Λ·Vᵀ = A",
        &v.matmul(&Dense::diag(n, n, &vals)).matmul(&v.t()),
        a,
        tol(n, a.max_abs()) * 10.0,
    )
}

fn svd_reconstructs<B: Factorize<f64>>(a: &Dense, full: bool) -> R {
    let (m, n) = a.shape();
    let k = m.min(n);
    let svd = if full {
        B::svd(&a.to::<B>())
    } else {
        B::svd_thin(&a.to::<B>())
    }
    .unwrap();
    let (u, s, v) = (
        Dense::of::<B>(&svd.u),
        vecd::<B>(&svd.s),
        Dense::of::<B>(&svd.v),
    );
    let (uc, vc) = if full { (m, n) } else { (k, k) };
    prop_assert_eq!(u.shape(), (m, uc));
    prop_assert_eq!(v.shape(), (n, vc));
    prop_assert_eq!(s.len(), k);
    descending("singular values", &s)?;
    prop_assert!(s.iter().all(|x| *x >= 0.0), "non-negative singular values");
    orthonormal_columns("UᵀU = I", &u, m)?;
    orthonormal_columns("VᵀV = I", &v, n)?;
    sign_rule("U", &u)?;
    let sigma = Dense::diag(uc, vc, &s);
    close(
        "U·Σ·Vᵀ = A",
        &u.matmul(&sigma).matmul(&v.t()),
        a,
        tol(m.max(n), a.max_abs()) * 10.0,
    )
}

fn qr_reconstructs<B: Factorize<f64>>(a: &Dense, full: bool) -> R {
    let (m, n) = a.shape();
    let k = m.min(n);
    let qr = if full {
        B::qr(&a.to::<B>())
    } else {
        B::qr_thin(&a.to::<B>())
    }
    .unwrap();
    let (q, r) = (Dense::of::<B>(&qr.q), Dense::of::<B>(&qr.r));
    let qc = if full { m } else { k };
    prop_assert_eq!(q.shape(), (m, qc));
    prop_assert_eq!(r.shape(), (qc, n));
    orthonormal_columns("QᵀQ = I", &q, m)?;
    for i in 0..qc {
        for j in 0..i.min(n) {
            prop_assert_eq!(r.at(i, j), 0.0, "R is upper triangular");
        }
        if i < n {
            prop_assert!(r.at(i, i) >= 0.0, "R has a non-negative diagonal: {:?}", r);
        }
    }
    close("Q·R = A", &q.matmul(&r), a, tol(m.max(n), a.max_abs()))
}

fn triangular_solves<B: Factorize<f64>>(a: &Dense, b: &Dense) -> R {
    let n = a.rows;
    for tri in [Triangle::Lower, Triangle::Upper] {
        let t_only = Dense::from_fn(n, n, |i, j| {
            let keep = if tri == Triangle::Lower {
                i >= j
            } else {
                i <= j
            };
            if keep { a.at(i, j) } else { 0.0 }
        });
        for trans in FLAGS {
            // The other triangle of the argument must be ignored: pass the full `a`.
            let x = Dense::of::<B>(
                &B::solve_triangular(&a.to::<B>(), &b.to::<B>(), tri, trans).unwrap(),
            );
            let lhs = op_dense(&t_only, trans).matmul(&x);
            close("op(T)·X = B", &lhs, b, tol(n, a.max_abs() * x.max_abs()))?;
        }
    }
    Ok(())
}

// ----- products -----

#[allow(clippy::too_many_arguments)]
fn gemm_all_flags<B: LinalgBackend<f64>>(
    m: usize,
    k: usize,
    n: usize,
    vals: &[f64],
    alpha: f64,
    beta: f64,
) -> R {
    let mut it = vals.iter().copied().cycle();
    let a = Dense::from_fn(m, k, |_, _| it.next().unwrap());
    let b = Dense::from_fn(k, n, |_, _| it.next().unwrap());
    let c0 = Dense::from_fn(m, n, |_, _| it.next().unwrap());
    for ta in FLAGS {
        for tb in FLAGS {
            let a_st = op_dense(&a, ta); // stored so that op(stored) = a
            let b_st = op_dense(&b, tb);
            let mut c = c0.to::<B>();
            B::gemm(
                &mut c,
                alpha,
                &a_st.to::<B>(),
                ta,
                &b_st.to::<B>(),
                tb,
                beta,
            )
            .unwrap();
            let want = a.matmul(&b).lin(alpha, &c0, beta);
            close("gemm", &Dense::of::<B>(&c), &want, tol(k, 1.0))?;
            let prod = B::matmul(&a_st.to::<B>(), ta, &b_st.to::<B>(), tb).unwrap();
            close("matmul", &Dense::of::<B>(&prod), &a.matmul(&b), tol(k, 1.0))?;
            // beta = 0 ignores the old contents, even NaN, whatever the flags.
            let mut c = Dense::from_fn(m, n, |_, _| f64::NAN).to::<B>();
            B::gemm(&mut c, alpha, &a_st.to::<B>(), ta, &b_st.to::<B>(), tb, 0.0).unwrap();
            let want = a.matmul(&b).lin(alpha, &c0, 0.0);
            close(
                "gemm with beta = 0 over NaN",
                &Dense::of::<B>(&c),
                &want,
                tol(k, 1.0),
            )?;
        }
        // GEMV
        let x: Vec<f64> = (0..k).map(|_| it.next().unwrap()).collect();
        let y0: Vec<f64> = (0..m).map(|_| it.next().unwrap()).collect();
        let mut y = B::vec_from_slice(&y0);
        B::gemv(
            &mut y,
            alpha,
            &op_dense(&a, ta).to::<B>(),
            ta,
            &B::vec_from_slice(&x),
            beta,
        )
        .unwrap();
        let want = a.matmul(&col_dense(&x)).lin(alpha, &col_dense(&y0), beta);
        close("gemv", &col_dense(&vecd::<B>(&y)), &want, tol(k, 1.0))?;
    }
    // beta = 0 ignores the old contents, even NaN.
    let mut c = Dense::from_fn(m, n, |_, _| f64::NAN).to::<B>();
    B::gemm(
        &mut c,
        1.0,
        &a.to::<B>(),
        Transpose::No,
        &b.to::<B>(),
        Transpose::No,
        0.0,
    )
    .unwrap();
    close(
        "gemm with beta = 0 over NaN",
        &Dense::of::<B>(&c),
        &a.matmul(&b),
        tol(k, 1.0),
    )
}

fn outer_and_ger<B: LinalgBackend<f64>>(x: &[f64], y: &[f64], alpha: f64) -> R {
    let want = col_dense(x).matmul(&col_dense(y).t());
    let (xv, yv) = (B::vec_from_slice(x), B::vec_from_slice(y));
    let o = B::outer(&xv, &yv);
    close("outer", &Dense::of::<B>(&o), &want, 1e-14)?;
    // `A = alpha·x·yᵀ + beta·A` from `start`, against `c·x·yᵀ`.
    let ger = |what: &str, start: &B::Matrix, beta: f64, c: f64| {
        let mut a = start.clone();
        B::ger(&mut a, alpha, &xv, &yv, beta).unwrap();
        close(what, &Dense::of::<B>(&a), &want.lin(c, &want, 0.0), 1e-13)
    };
    ger("ger", &o, 1.0, 1.0 + alpha)?;
    // beta scales the old contents; beta = 0 ignores them, even NaN.
    ger("ger with beta", &o, -0.5, alpha - 0.5)?;
    let nan = Dense::from_fn(x.len(), y.len(), |_, _| f64::NAN).to::<B>();
    ger("ger with beta = 0 over NaN", &nan, 0.0, alpha)
}

// ----- structure -----

fn structure_roundtrips<B: LinalgBackend<f64>>(a: &Dense, b: &Dense) -> R {
    let (am, bm) = (a.to::<B>(), b.to::<B>());
    prop_assert_eq!(Dense::of::<B>(&B::mat_transpose(&am)), a.t());
    prop_assert_eq!(Dense::of::<B>(&B::mat_adjoint(&am)), a.t());
    // vcat then split back by rows; hcat of transposes then split by columns.
    if a.cols == b.cols {
        let v = B::mat_vcat(&am, &bm).unwrap();
        prop_assert_eq!(
            Dense::of::<B>(&B::mat_rows(&v, 0..a.rows).unwrap()),
            a.clone()
        );
        prop_assert_eq!(
            Dense::of::<B>(&B::mat_rows(&v, a.rows..a.rows + b.rows).unwrap()),
            b.clone()
        );
    } else {
        prop_assert!(
            matches!(
                B::mat_vcat(&am, &bm),
                Err(LinalgError::ShapeMismatch { op: "mat_vcat", .. })
            ),
            "vcat mismatch"
        );
    }
    let (at, bt) = (B::mat_transpose(&am), B::mat_transpose(&bm));
    if a.cols == b.cols {
        let h = B::mat_hcat(&at, &bt).unwrap();
        prop_assert_eq!(Dense::of::<B>(&B::mat_cols(&h, 0..a.rows).unwrap()), a.t());
        prop_assert_eq!(
            Dense::of::<B>(&B::mat_cols(&h, a.rows..a.rows + b.rows).unwrap()),
            b.t()
        );
    } else {
        prop_assert!(
            matches!(
                B::mat_hcat(&at, &bt),
                Err(LinalgError::ShapeMismatch { op: "mat_hcat", .. })
            ),
            "hcat mismatch"
        );
    }
    for i in 0..a.rows {
        prop_assert_eq!(
            vecd::<B>(&B::mat_row(&am, i).unwrap()),
            (0..a.cols).map(|j| a.at(i, j)).collect::<Vec<_>>()
        );
    }
    for j in 0..a.cols {
        prop_assert_eq!(vecd::<B>(&B::mat_col(&am, j).unwrap()), a.col(j));
    }
    let d = vecd::<B>(&B::mat_diag(&am));
    prop_assert_eq!(d.len(), a.rows.min(a.cols));
    let dm = B::mat_from_diag(&B::vec_from_slice(&d));
    prop_assert_eq!(Dense::of::<B>(&dm), Dense::diag(d.len(), d.len(), &d));
    prop_assert_eq!(vecd::<B>(&B::mat_diag(&dm)), d.clone());
    let v = B::vec_from_slice(&a.data);
    let cat = B::vec_concat(&v, &B::vec_from_slice(&b.data));
    prop_assert_eq!(
        vecd::<B>(&B::vec_slice(&cat, 0..a.data.len()).unwrap()),
        a.data.clone()
    );
    prop_assert_eq!(
        vecd::<B>(&B::vec_slice(&cat, a.data.len()..a.data.len() + b.data.len()).unwrap()),
        b.data.clone()
    );
    prop_assert_eq!(
        B::mat_to_row_major(&B::mat_from_col_major(a.cols, a.rows, &a.data).unwrap()),
        a.t().data
    );
    Ok(())
}

// ----- element-wise and reductions -----

fn elementwise_and_reductions<B: LinalgBackend<f64>>(a: &Dense, b: &Dense, alpha: f64) -> R {
    let (am, bm) = (a.to::<B>(), b.to::<B>());
    let zip =
        |f: fn(f64, f64) -> f64| Dense::from_fn(a.rows, a.cols, |i, j| f(a.at(i, j), b.at(i, j)));
    prop_assert_eq!(
        Dense::of::<B>(&B::mat_add(&am, &bm).unwrap()),
        zip(|x, y| x + y)
    );
    prop_assert_eq!(
        Dense::of::<B>(&B::mat_sub(&am, &bm).unwrap()),
        zip(|x, y| x - y)
    );
    prop_assert_eq!(
        Dense::of::<B>(&B::mat_mul(&am, &bm).unwrap()),
        zip(|x, y| x * y)
    );
    prop_assert_eq!(
        Dense::of::<B>(&B::mat_div(&am, &bm).unwrap()),
        zip(|x, y| x / y)
    );
    prop_assert_eq!(Dense::of::<B>(&B::mat_neg(&am)), a.lin(-1.0, a, 0.0));
    prop_assert_eq!(
        Dense::of::<B>(&B::mat_scale(&am, alpha)),
        Dense::from_fn(a.rows, a.cols, |i, j| alpha * a.at(i, j))
    );
    let mut y = am.clone();
    B::mat_axpy(&mut y, alpha, &bm).unwrap();
    close(
        "mat_axpy",
        &Dense::of::<B>(&y),
        &a.lin(1.0, b, alpha),
        1e-15,
    )?;
    let mut y = B::mat_zeros(a.rows, a.cols);
    B::mat_copy_from(&mut y, &bm).unwrap();
    prop_assert_eq!(Dense::of::<B>(&y), Dense::of::<B>(&bm));
    let mut y = am.clone();
    B::mat_map_mut(&mut y, |x| 2.0 * x + 1.0);
    prop_assert_eq!(
        Dense::of::<B>(&y),
        Dense::from_fn(a.rows, a.cols, |i, j| 2.0 * a.at(i, j) + 1.0)
    );
    // vectors
    let (va, vb) = (B::vec_from_slice(&a.data), B::vec_from_slice(&b.data));
    let sum_ab: Vec<f64> = a.data.iter().zip(&b.data).map(|(x, y)| x + y).collect();
    prop_assert_eq!(vecd::<B>(&B::vec_add(&va, &vb).unwrap()), sum_ab);
    let mut vy = va.clone();
    B::vec_axpy(&mut vy, alpha, &vb).unwrap();
    let want: Vec<f64> = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| x + alpha * y)
        .collect();
    close(
        "vec_axpy",
        &col_dense(&vecd::<B>(&vy)),
        &col_dense(&want),
        1e-15,
    )?;
    let mut vy = B::vec_zeros(b.data.len());
    B::vec_copy_from(&mut vy, &vb).unwrap();
    prop_assert_eq!(vecd::<B>(&vy), b.data.clone());
    // reductions against naive loops
    let n = a.data.len();
    let t = tol(n, 1.0);
    close_s("mat_sum", B::mat_sum(&am), a.data.iter().sum(), t)?;
    close_s("vec_sum", B::vec_sum(&va), a.data.iter().sum(), t)?;
    let dot: f64 = a.data.iter().zip(&b.data).map(|(x, y)| x * y).sum();
    close_s("vec_dot", B::vec_dot(&va, &vb).unwrap(), dot, t)?;
    close_s("mat_dot", B::mat_dot(&am, &bm).unwrap(), dot, t)?;
    close_s(
        "vec_norm_1",
        B::vec_norm_1(&va),
        a.data.iter().map(|x| x.abs()).sum(),
        t,
    )?;
    let n2 = a.data.iter().map(|x| x * x).sum::<f64>().sqrt();
    close_s("vec_norm_2", B::vec_norm_2(&va), n2, t)?;
    close_s("mat_norm_frob", B::mat_norm_frob(&am), n2, t)?;
    prop_assert_eq!(B::vec_norm_inf(&va), a.max_abs());
    prop_assert_eq!(B::mat_max_abs(&am), a.max_abs());
    let col_sums = (0..a.cols)
        .map(|j| a.col(j).iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    close_s("mat_norm_1", B::mat_norm_1(&am), col_sums, t)?;
    let row_sums = (0..a.rows)
        .map(|i| (0..a.cols).map(|j| a.at(i, j).abs()).sum::<f64>())
        .fold(0.0, f64::max);
    close_s("mat_norm_inf", B::mat_norm_inf(&am), row_sums, t)?;
    // count_nonzero: zero out every other entry first
    let sparse = Dense::from_fn(a.rows, a.cols, |i, j| {
        if (i + j) % 2 == 0 { 0.0 } else { a.at(i, j) }
    });
    let nnz = sparse.data.iter().filter(|x| **x != 0.0).count();
    prop_assert_eq!(B::mat_count_nonzero(&sparse.to::<B>()), nnz);
    prop_assert_eq!(B::vec_count_nonzero(&B::vec_from_slice(&sparse.data)), nnz);
    Ok(())
}

fn spectral_norm<B: Factorize<f64>>(a: &Dense, s: &[f64]) -> R {
    let want = s.iter().copied().fold(0.0, f64::max);
    close_s(
        "mat_norm_2",
        B::mat_norm_2(&a.to::<B>()).unwrap(),
        want,
        tol(a.rows.max(a.cols), want) * 10.0,
    )
}

// ----- errors -----

fn assert_err(
    r: Result<impl std::fmt::Debug, LinalgError>,
    want_op: &str,
    kind: fn(&LinalgError) -> bool,
) {
    let e = r.expect_err("expected an error");
    assert!(kind(&e), "{want_op}: unexpected error variant {e:?}");
    assert_eq!(e.op(), want_op);
    let msg = e.to_string();
    assert!(
        msg.contains(want_op),
        "message {msg:?} should name {want_op}"
    );
}

fn errors_singular<B: Factorize<f64>>() {
    let sing = Dense {
        rows: 3,
        cols: 3,
        data: vec![1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 0.0, 1.0, 1.0],
    };
    let zero_col = Dense {
        rows: 2,
        cols: 2,
        data: vec![0.0, 1.0, 0.0, 2.0],
    };
    let is_sing = |e: &LinalgError| matches!(e, LinalgError::Singular { .. });
    for s in [&sing, &zero_col] {
        assert_err(B::inverse(&s.to::<B>()), "inverse", is_sing);
        assert_err(
            B::solve(&s.to::<B>(), &Dense::identity(s.rows).to::<B>()),
            "solve",
            is_sing,
        );
        assert_err(
            B::solve_vec(&s.to::<B>(), &B::vec_zeros(s.rows)),
            "solve_vec",
            is_sing,
        );
        // det of a singular matrix is 0 (or rounding-level tiny), never an error or NaN.
        let d = B::det(&s.to::<B>()).unwrap();
        assert!(d.abs() < 1e-12, "det of singular = {d}");
    }
    assert_eq!(B::det(&zero_col.to::<B>()).unwrap(), 0.0);
    assert_eq!(
        B::ln_abs_det(&zero_col.to::<B>()).unwrap(),
        (f64::NEG_INFINITY, 0.0)
    );
    // numerically singular: pivot ratio below n·ε
    let tiny = Dense {
        rows: 2,
        cols: 2,
        data: vec![1.0, 0.0, 0.0, 1e-17],
    };
    assert_err(B::inverse(&tiny.to::<B>()), "inverse", is_sing);
    let upper_zero = Dense {
        rows: 2,
        cols: 2,
        data: vec![1.0, 1.0, 0.0, 0.0],
    };
    assert_err(
        B::solve_triangular(
            &upper_zero.to::<B>(),
            &Dense::identity(2).to::<B>(),
            Triangle::Upper,
            Transpose::No,
        ),
        "solve_triangular",
        is_sing,
    );
}

fn errors_not_pd<B: Factorize<f64>>() {
    let is_npd = |e: &LinalgError| matches!(e, LinalgError::NotPositiveDefinite { .. });
    for data in [
        vec![1.0, 2.0, 2.0, 1.0],
        vec![-1.0, 0.0, 0.0, 1.0],
        vec![0.0, 0.0, 0.0, 0.0],
    ] {
        assert_err(
            B::cholesky(
                &Dense {
                    rows: 2,
                    cols: 2,
                    data,
                }
                .to::<B>(),
            ),
            "cholesky",
            is_npd,
        );
    }
}

fn errors_shapes<B: Factorize<f64>>() {
    let is_shape = |e: &LinalgError| matches!(e, LinalgError::ShapeMismatch { .. });
    let a23 = Dense::from_fn(2, 3, |i, j| (i + j) as f64).to::<B>();
    let a22 = Dense::identity(2).to::<B>();
    assert_err(
        B::mat_from_row_major(2, 3, &[1.0; 5]),
        "mat_from_row_major",
        is_shape,
    );
    assert_err(
        B::mat_from_col_major(2, 3, &[1.0; 7]),
        "mat_from_col_major",
        is_shape,
    );
    assert_err(B::inverse(&a23), "inverse", is_shape);
    assert_err(B::det(&a23), "det", is_shape);
    assert_err(B::ln_abs_det(&a23), "ln_abs_det", is_shape);
    assert_err(B::cholesky(&a23), "cholesky", is_shape);
    assert_err(B::sym_eigen(&a23), "sym_eigen", is_shape);
    assert_err(B::lu(&a23), "lu", is_shape);
    assert_err(
        B::solve(&a22, &a23.clone())
            .map(|_| ())
            .and(B::solve(&a22, &B::mat_zeros(3, 1))),
        "solve",
        is_shape,
    );
    assert_err(
        B::solve_triangular(&a23, &a22, Triangle::Lower, Transpose::No),
        "solve_triangular",
        is_shape,
    );
    let mut c = B::mat_zeros(2, 2);
    assert_err(
        B::gemm(&mut c, 1.0, &a23, Transpose::No, &a23, Transpose::No, 0.0),
        "gemm",
        is_shape,
    );
    assert_err(
        B::gemm(&mut c, 1.0, &a23, Transpose::No, &a23, Transpose::Yes, 0.0)
            .map(|()| 0)
            .and(
                B::gemm(
                    &mut B::mat_zeros(3, 3),
                    1.0,
                    &a23,
                    Transpose::No,
                    &a23,
                    Transpose::Yes,
                    0.0,
                )
                .map(|()| 0),
            ),
        "gemm",
        is_shape,
    );
    assert_err(
        B::matmul(&a23, Transpose::No, &a23, Transpose::No),
        "matmul",
        is_shape,
    );
    let mut y = B::vec_zeros(2);
    assert_err(
        B::gemv(&mut y, 1.0, &a23, Transpose::No, &B::vec_zeros(2), 0.0),
        "gemv",
        is_shape,
    );
    assert_err(
        B::matvec(&a23, Transpose::Yes, &B::vec_zeros(3)),
        "matvec",
        is_shape,
    );
    assert_err(B::mat_add(&a23, &a22), "mat_zip_map", is_shape);
    assert_err(
        B::vec_dot(&B::vec_zeros(2), &B::vec_zeros(3)),
        "vec_dot",
        is_shape,
    );
    assert_err(
        B::vec_axpy(&mut B::vec_zeros(2), 1.0, &B::vec_zeros(3)),
        "vec_axpy",
        is_shape,
    );
    assert_err(
        B::mat_axpy(&mut B::mat_zeros(2, 2), 1.0, &a23),
        "mat_axpy",
        is_shape,
    );
    assert_err(
        B::vec_copy_from(&mut B::vec_zeros(2), &B::vec_zeros(3)),
        "vec_copy_from",
        is_shape,
    );
    assert_err(
        B::mat_copy_from(&mut B::mat_zeros(2, 2), &a23),
        "mat_copy_from",
        is_shape,
    );
    assert_err(
        B::ger(
            &mut B::mat_zeros(2, 2),
            1.0,
            &B::vec_zeros(2),
            &B::vec_zeros(3),
            1.0,
        ),
        "ger",
        is_shape,
    );
    assert_err(B::mat_hcat(&a23, &B::mat_zeros(3, 1)), "mat_hcat", is_shape);
    assert_err(B::mat_vcat(&a23, &a22), "mat_vcat", is_shape);
    let is_oob = |e: &LinalgError| matches!(e, LinalgError::OutOfBounds { .. });
    assert_err(B::mat_rows(&a23, 1..3), "mat_rows", is_oob);
    assert_err(B::mat_cols(&a23, 2..4), "mat_cols", is_oob);
    assert_err(B::mat_row(&a23, 2), "mat_row", is_oob);
    assert_err(B::mat_col(&a23, 3), "mat_col", is_oob);
    assert_err(B::vec_slice(&B::vec_zeros(2), 1..3), "vec_slice", is_oob);
}

fn errors_non_finite<B: Factorize<f64>>() {
    let is_nf = |e: &LinalgError| matches!(e, LinalgError::NonFinite { .. });
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut d = Dense::identity(3);
        d.data[3] = bad; // (1, 0): inside the lower triangle, read by every decomposition
        let a = d.to::<B>();
        let i3 = Dense::identity(3).to::<B>();
        assert_err(B::lu(&a), "lu", is_nf);
        assert_err(B::inverse(&a), "inverse", is_nf);
        assert_err(B::solve(&a, &i3), "solve", is_nf);
        assert_err(B::solve(&i3, &a), "solve", is_nf);
        assert_err(B::det(&a), "det", is_nf);
        assert_err(B::ln_abs_det(&a), "ln_abs_det", is_nf);
        assert_err(B::cholesky(&a), "cholesky", is_nf);
        assert_err(
            B::solve_triangular(&a, &i3, Triangle::Lower, Transpose::No),
            "solve_triangular",
            is_nf,
        );
        assert_err(B::sym_eigen(&a), "sym_eigen", is_nf);
        assert_err(B::svd(&a), "svd", is_nf);
        assert_err(B::svd_thin(&a), "svd_thin", is_nf);
        assert_err(B::singular_values(&a), "singular_values", is_nf);
        assert_err(B::mat_norm_2(&a), "mat_norm_2", is_nf);
        assert_err(B::qr(&a), "qr", is_nf);
        assert_err(B::qr_thin(&a), "qr_thin", is_nf);
    }
}

/// Complex storage and products: conjugation conventions of dot, gemm (Adjoint vs Yes), outer.
fn complex_conventions<B: LinalgBackend<num_complex::Complex<f64>>>() {
    use num_complex::Complex;
    let c = |re: f64, im: f64| Complex::new(re, im);
    let x = B::vec_from_slice(&[c(1.0, 2.0), c(0.0, -1.0)]);
    let y = B::vec_from_slice(&[c(3.0, 0.0), c(1.0, 1.0)]);
    // conj(1+2i)·3 + conj(-i)·(1+i) = (3−6i) + (i)(1+i) = 3−6i + i − 1 = 2 − 5i
    assert_eq!(B::vec_dot(&x, &y).unwrap(), c(2.0, -5.0));
    let o = B::outer(&x, &y);
    assert_eq!(B::mat_get(&o, 0, 1), c(1.0, 2.0) * c(1.0, 1.0));
    let a = B::mat_from_row_major(2, 2, &[c(1.0, 1.0), c(2.0, 0.0), c(0.0, 3.0), c(-1.0, 1.0)])
        .unwrap();
    let id = B::mat_identity(2);
    let at = B::matmul(&a, Transpose::Yes, &id, Transpose::No).unwrap();
    let ah = B::matmul(&a, Transpose::Adjoint, &id, Transpose::No).unwrap();
    let ah2 = B::matmul(&id, Transpose::No, &a, Transpose::Adjoint).unwrap();
    for i in 0..2 {
        for j in 0..2 {
            assert_eq!(B::mat_get(&at, i, j), B::mat_get(&a, j, i));
            assert_eq!(B::mat_get(&ah, i, j), B::mat_get(&a, j, i).conj());
            assert_eq!(B::mat_get(&ah2, i, j), B::mat_get(&a, j, i).conj());
            assert_eq!(
                B::mat_get(&B::mat_adjoint(&a), i, j),
                B::mat_get(&a, j, i).conj()
            );
        }
    }
    let mut v = B::vec_zeros(2);
    B::gemv(&mut v, c(1.0, 0.0), &a, Transpose::Adjoint, &x, c(0.0, 0.0)).unwrap();
    let want0 = c(1.0, 1.0).conj() * c(1.0, 2.0) + c(0.0, 3.0).conj() * c(0.0, -1.0);
    assert_eq!(B::vec_get(&v, 0), want0);
    assert!((B::vec_norm_2(&x) - 6.0f64.sqrt()).abs() < 1e-15);
}

/// Every property of this file on each backend of the list, in a module named after it.
macro_rules! conformance {
    ([] $($name:ident: $backend:ty),* $(,)?) => {
        $(conformance!(@backend $name, $backend);)*
    };
    (@backend $name:ident, $backend:ty) => {
        mod $name {
            use super::*;
            type B = $backend;

            proptest! {
                #[test]
                fn lu_inverse_roundtrip(a in dim().prop_flat_map(diag_dominant)) {
                    super::lu_inverse_roundtrip::<B>(&a)?;
                }
                #[test]
                fn solve_residual((a, b) in (dim(), 1..4usize).prop_flat_map(|(n, k)| (diag_dominant(n), matrix(n, k)))) {
                    super::solve_residual::<B>(&a, &b)?;
                }
                #[test]
                fn lu_factors_and_det(a in dim().prop_flat_map(diag_dominant)) {
                    super::lu_factors_and_det::<B>(&a)?;
                }
                #[test]
                fn det_is_product_of_eigenvalues((a, vals) in dim().prop_flat_map(symmetric_separated)) {
                    super::det_is_product_of_eigenvalues::<B>(&a, &vals)?;
                }
                #[test]
                fn cholesky_reconstructs(a in dim().prop_flat_map(spd)) {
                    super::cholesky_reconstructs::<B>(&a)?;
                }
                #[test]
                fn sym_eigen_reconstructs((a, vals) in dim().prop_flat_map(symmetric_separated)) {
                    super::sym_eigen_reconstructs::<B>(&a, &vals)?;
                }
                #[test]
                fn svd_thin_reconstructs((a, _) in (dim(), dim()).prop_flat_map(|(m, n)| separated_singular(m, n))) {
                    super::svd_reconstructs::<B>(&a, false)?;
                }
                #[test]
                fn svd_full_reconstructs((a, _) in (dim(), dim()).prop_flat_map(|(m, n)| separated_singular(m, n))) {
                    super::svd_reconstructs::<B>(&a, true)?;
                }
                #[test]
                fn svd_of_any_matrix(a in any_matrix()) {
                    super::svd_reconstructs::<B>(&a, false)?;
                    super::svd_reconstructs::<B>(&a, true)?;
                }
                #[test]
                fn spectral_norm((a, s) in (dim(), dim()).prop_flat_map(|(m, n)| separated_singular(m, n))) {
                    super::spectral_norm::<B>(&a, &s)?;
                }
                #[test]
                fn qr_reconstructs(a in any_matrix()) {
                    super::qr_reconstructs::<B>(&a, false)?;
                    super::qr_reconstructs::<B>(&a, true)?;
                }
                #[test]
                fn triangular_solves((a, b) in (dim(), 1..4usize).prop_flat_map(|(n, k)| (diag_dominant(n), matrix(n, k)))) {
                    super::triangular_solves::<B>(&a, &b)?;
                }
                #[test]
                fn gemm_gemv_all_flags(
                    // Past 5 in every size as well: nalgebra's GEMM kernel takes over there.
                    (m, k, n) in prop_oneof![(dim(), dim(), dim()), (6..=12usize, 6..=12usize, 6..=12usize)],
                    vals in vector(64),
                    alpha in -2.0f64..2.0,
                    beta in prop_oneof![Just(0.0), Just(1.0), -2.0f64..2.0],
                ) {
                    super::gemm_all_flags::<B>(m, k, n, &vals, alpha, beta)?;
                }
                #[test]
                fn outer_and_ger((x, y) in (dim(), dim()).prop_flat_map(|(m, n)| (vector(m), vector(n))), alpha in -2.0f64..2.0) {
                    super::outer_and_ger::<B>(&x, &y, alpha)?;
                }
                #[test]
                fn structure_roundtrips((a, b) in (dim(), dim(), dim(), prop_oneof![Just(true), Just(false)])
                    .prop_flat_map(|(r1, r2, c, same)| (matrix(r1, c), matrix(r2, if same { c } else { c % 6 + 1 })))) {
                    super::structure_roundtrips::<B>(&a, &b)?;
                }
                #[test]
                fn elementwise_and_reductions((a, b) in (dim(), dim()).prop_flat_map(|(r, c)| (matrix(r, c), matrix(r, c))), alpha in -2.0f64..2.0) {
                    super::elementwise_and_reductions::<B>(&a, &b, alpha)?;
                }
            }

            #[test]
            fn errors_singular() {
                super::errors_singular::<B>();
            }
            #[test]
            fn errors_not_positive_definite() {
                super::errors_not_pd::<B>();
            }
            #[test]
            fn errors_shape_mismatch() {
                super::errors_shapes::<B>();
            }
            #[test]
            fn errors_non_finite() {
                super::errors_non_finite::<B>();
            }
            #[test]
            fn complex_conventions() {
                super::complex_conventions::<B>();
            }
        }
    };
}

backprop_tests::for_each_backend!(conformance);

/// The same input gives the same results on every backend (values, and decomposition factors
/// once the shared sign conventions are applied), within a size-scaled tolerance.
mod cross_backend {
    use super::*;

    /// Everything one backend computes from `(a, spd, sym, rect)`, as `Dense` values.
    fn results<B: Factorize<f64>>(
        a: &Dense,
        spd: &Dense,
        sym: &Dense,
        rect: &Dense,
    ) -> Vec<(&'static str, Dense)> {
        let one = |x: f64| Dense {
            rows: 1,
            cols: 1,
            data: vec![x],
        };
        let svd = B::svd(&rect.to::<B>()).unwrap();
        let qr = B::qr(&rect.to::<B>()).unwrap();
        let qr_thin = B::qr_thin(&rect.to::<B>()).unwrap();
        let eig = B::sym_eigen(&sym.to::<B>()).unwrap();
        let k = rect.rows.min(rect.cols);
        vec![
            (
                "inverse",
                Dense::of::<B>(&B::inverse(&a.to::<B>()).unwrap()),
            ),
            ("det", one(B::det(&a.to::<B>()).unwrap())),
            ("ln_abs_det", one(B::ln_abs_det(&a.to::<B>()).unwrap().0)),
            (
                "cholesky",
                Dense::of::<B>(&B::cholesky(&spd.to::<B>()).unwrap()),
            ),
            ("eigenvalues", col_dense(&vecd::<B>(&eig.values))),
            ("eigenvectors", Dense::of::<B>(&eig.vectors)),
            ("singular values", col_dense(&vecd::<B>(&svd.s))),
            // Only the first k columns are unique (up to the sign rule).
            ("U", Dense::of::<B>(&B::mat_cols(&svd.u, 0..k).unwrap())),
            ("V", Dense::of::<B>(&B::mat_cols(&svd.v, 0..k).unwrap())),
            ("thin Q", Dense::of::<B>(&qr_thin.q)),
            ("thin R", Dense::of::<B>(&qr_thin.r)),
            ("full R", Dense::of::<B>(&qr.r)),
            (
                "gemm",
                Dense::of::<B>(
                    &B::matmul(
                        &rect.to::<B>(),
                        Transpose::Yes,
                        &rect.to::<B>(),
                        Transpose::No,
                    )
                    .unwrap(),
                ),
            ),
        ]
    }

    fn agree(x: &[(&'static str, Dense)], y: &[(&'static str, Dense)], n: usize, which: &str) -> R {
        for ((name, p), (_, q)) in x.iter().zip(y) {
            // Factors of well-conditioned inputs agree to rounding amplified by the gaps (≥ 0.5).
            close(
                &format!("{which}: {name}"),
                p,
                q,
                tol(n, p.max_abs()) * 100.0,
            )?;
        }
        Ok(())
    }

    /// `all_backends_agree`: every backend of the list against the first (the reference).
    macro_rules! all_backends_agree {
        ([] $reference:ident: $r:ty, $($name:ident: $b:ty),* $(,)?) => {
            proptest! {
                #[test]
                fn all_backends_agree(
                    (a, spd, (sym, _), (rect, _)) in (dim(), dim()).prop_flat_map(|(n, m)| {
                        (diag_dominant(n), spd(n), symmetric_separated(n), separated_singular(m, n))
                    })
                ) {
                    let n = a.rows.max(rect.rows);
                    let f = results::<$r>(&a, &spd, &sym, &rect);
                    $(
                        let which = concat!(stringify!($reference), " vs ", stringify!($name));
                        agree(&f, &results::<$b>(&a, &spd, &sym, &rect), n, which)?;
                    )*
                }
            }
        };
    }
    backprop_tests::for_each_backend!(all_backends_agree);
}

/// Regression: nalgebra 0.35's SVD returned orthonormal factors whose product missed this
/// well-conditioned matrix (σ = 1.593526, 1.593418, 0.967) by 2.6e-5; the nalgebra backend now
/// polishes its SVD by one-sided Jacobi. Checked on every backend, tall and wide, thin and full.
fn svd_close_singular_values<B: Factorize<f64>>() {
    let a = [
        -0.013_540_573_284_695_462,
        1.102_313_233_031_159_8,
        -0.364_429_675_905_812_77,
        1.219_012_617_502_834_2,
        0.138_901_490_613_679_23,
        -0.920_177_701_292_241_5,
        0.581_589_470_786_640_3,
        0.847_684_203_639_356_9,
        1.121_303_444_738_592_3,
    ];
    let square = B::mat_from_row_major(3, 3, &a).unwrap();
    let wide = B::mat_from_row_major(2, 3, &a[..6]).unwrap();
    let tall = B::mat_transpose(&wide);
    for m in [square, wide, tall] {
        for svd in [B::svd_thin(&m).unwrap(), B::svd(&m).unwrap()] {
            let (rows, cols) = B::mat_shape(&m);
            let k = B::vec_len(&svd.s);
            let sigma = B::mat_from_fn(B::mat_shape(&svd.u).1, B::mat_shape(&svd.v).1, |i, j| {
                if i == j && i < k {
                    B::vec_get(&svd.s, i)
                } else {
                    0.0
                }
            });
            let us = B::matmul(&svd.u, Transpose::No, &sigma, Transpose::No).unwrap();
            let back = B::matmul(&us, Transpose::No, &svd.v, Transpose::Yes).unwrap();
            let err = B::mat_max_abs(&B::mat_sub(&back, &m).unwrap());
            assert!(
                err < 1e-13,
                "{}: U·Σ·Vᵀ misses the {rows}×{cols} input by {err:e}",
                B::NAME
            );
            for q in [&svd.u, &svd.v] {
                let gram = B::matmul(q, Transpose::Yes, q, Transpose::No).unwrap();
                let eye = B::mat_identity(B::mat_shape(q).1);
                let off = B::mat_max_abs(&B::mat_sub(&gram, &eye).unwrap());
                assert!(
                    off < 1e-13,
                    "{}: a factor is off orthonormal by {off:e}",
                    B::NAME
                );
            }
        }
    }
}

/// `svd_close_singular_values` on every backend of the list, in one test.
macro_rules! svd_close_singular_values_on_every_backend {
    ([] $($name:ident: $backend:ty),* $(,)?) => {
        #[test]
        fn svd_close_singular_values_reconstructs_on_every_backend() {
            $(svd_close_singular_values::<$backend>();)*
        }
    };
}
backprop_tests::for_each_backend!(svd_close_singular_values_on_every_backend);
