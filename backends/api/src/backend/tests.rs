//! The contract of [`LinalgBackend`] on a minimal backend: a provided method checks the shapes
//! once, reports a mismatch before any hook runs, and otherwise calls its hook.

use core::cell::Cell;

use super::LinalgBackend;
use crate::{LinalgError, Transpose, validate};

thread_local! {
    /// How many times a required `_unchecked` hook of [`Mock`] ran on this thread.
    static HOOK_CALLS: Cell<usize> = const { Cell::new(0) };
}

fn hook_called() {
    HOOK_CALLS.with(|n| n.set(n.get() + 1));
}

/// Runs `f` and returns its result with the number of hook calls it made.
fn counting<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = HOOK_CALLS.with(Cell::get);
    let r = f();
    (r, HOOK_CALLS.with(Cell::get) - before)
}

/// A row-major `rows×cols` matrix.
#[derive(Clone, Debug, PartialEq)]
struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

/// The smallest backend: plain `Vec`s, the required hooks written naively, every optional hook
/// left to its default.
#[derive(Clone, Copy, Debug, Default)]
struct Mock;

impl LinalgBackend<f64> for Mock {
    type Vector = Vec<f64>;
    type Matrix = Mat;
    const NAME: &'static str = "mock";

    fn vec_from_fn(n: usize, f: impl FnMut(usize) -> f64) -> Vec<f64> {
        (0..n).map(f).collect()
    }
    fn vec_len(v: &Vec<f64>) -> usize {
        v.len()
    }
    fn vec_get(v: &Vec<f64>, i: usize) -> f64 {
        v[i]
    }
    fn vec_set(v: &mut Vec<f64>, i: usize, x: f64) {
        v[i] = x;
    }
    fn mat_from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Mat {
        let data = (0..rows * cols).map(|k| f(k / cols, k % cols)).collect();
        Mat { rows, cols, data }
    }
    fn mat_shape(a: &Mat) -> (usize, usize) {
        (a.rows, a.cols)
    }
    fn mat_get(a: &Mat, i: usize, j: usize) -> f64 {
        assert!(i < a.rows && j < a.cols);
        a.data[i * a.cols + j]
    }
    fn mat_set(a: &mut Mat, i: usize, j: usize, x: f64) {
        assert!(i < a.rows && j < a.cols);
        a.data[i * a.cols + j] = x;
    }
    fn vec_map(v: &Vec<f64>, f: impl FnMut(f64) -> f64) -> Vec<f64> {
        v.iter().copied().map(f).collect()
    }
    fn vec_map_mut(v: &mut Vec<f64>, mut f: impl FnMut(f64) -> f64) {
        v.iter_mut().for_each(|x| *x = f(*x));
    }
    fn vec_fold<A>(v: &Vec<f64>, init: A, f: impl FnMut(A, f64) -> A) -> A {
        v.iter().copied().fold(init, f)
    }
    fn mat_map(a: &Mat, f: impl FnMut(f64) -> f64) -> Mat {
        let data = a.data.iter().copied().map(f).collect();
        Mat { data, ..*a }
    }
    fn mat_map_mut(a: &mut Mat, mut f: impl FnMut(f64) -> f64) {
        a.data.iter_mut().for_each(|x| *x = f(*x));
    }
    fn mat_fold<A>(a: &Mat, init: A, f: impl FnMut(A, f64) -> A) -> A {
        a.data.iter().copied().fold(init, f)
    }

    fn vec_zip_apply_unchecked(a: &mut Vec<f64>, b: &Vec<f64>, mut f: impl FnMut(f64, f64) -> f64) {
        hook_called();
        assert_eq!(a.len(), b.len(), "a hook is called with checked shapes");
        a.iter_mut().zip(b).for_each(|(x, &y)| *x = f(*x, y));
    }
    fn mat_zip_apply_unchecked(a: &mut Mat, b: &Mat, mut f: impl FnMut(f64, f64) -> f64) {
        hook_called();
        assert_eq!(Self::mat_shape(a), Self::mat_shape(b), "checked shapes");
        a.data
            .iter_mut()
            .zip(&b.data)
            .for_each(|(x, &y)| *x = f(*x, y));
    }
    fn gemm_unchecked(
        c: &mut Mat,
        alpha: f64,
        a: &Mat,
        ta: Transpose,
        b: &Mat,
        tb: Transpose,
        beta: f64,
    ) {
        hook_called();
        let op = |m: &Mat, t: Transpose, i: usize, j: usize| {
            if t.is_transposed() {
                Self::mat_get(m, j, i)
            } else {
                Self::mat_get(m, i, j)
            }
        };
        let k = ta.apply_shape(Self::mat_shape(a)).1;
        assert_eq!(k, tb.apply_shape(Self::mat_shape(b)).0, "checked shapes");
        for i in 0..c.rows {
            for j in 0..c.cols {
                let ab: f64 = (0..k).map(|l| op(a, ta, i, l) * op(b, tb, l, j)).sum();
                let old = if beta == 0.0 {
                    0.0
                } else {
                    beta * Self::mat_get(c, i, j)
                };
                Self::mat_set(c, i, j, alpha * ab + old);
            }
        }
    }
    fn gemv_unchecked(
        y: &mut Vec<f64>,
        alpha: f64,
        a: &Mat,
        ta: Transpose,
        x: &Vec<f64>,
        beta: f64,
    ) {
        hook_called();
        let (m, n) = ta.apply_shape(Self::mat_shape(a));
        assert_eq!((m, n), (y.len(), x.len()), "checked shapes");
        for (i, yi) in y.iter_mut().enumerate() {
            let ax: f64 = (0..n)
                .map(|j| {
                    let aij = if ta.is_transposed() {
                        Self::mat_get(a, j, i)
                    } else {
                        Self::mat_get(a, i, j)
                    };
                    aij * x[j]
                })
                .sum();
            *yi = alpha * ax + if beta == 0.0 { 0.0 } else { beta * *yi };
        }
    }
}

fn mat(rows: usize, cols: usize, data: &[f64]) -> Mat {
    Mock::mat_from_row_major(rows, cols, data).unwrap()
}

/// Asserts that `call` fails with a shape mismatch naming `op` without running any hook.
fn refused<R: core::fmt::Debug>(op: &str, call: impl FnOnce() -> Result<R, LinalgError>) {
    let (r, hooks) = counting(call);
    match r {
        Err(e @ LinalgError::ShapeMismatch { .. }) => assert_eq!(e.op(), op, "{e}"),
        other => panic!("{op}: expected a shape mismatch, got {other:?}"),
    }
    assert_eq!(hooks, 0, "{op}: a hook ran on shapes that do not fit");
}

#[test]
fn provided_methods_report_shape_errors_before_any_hook_runs() {
    let a23 = mat(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let a22 = Mock::mat_identity(2);
    let (v2, v3) = (vec![1.0, 2.0], vec![1.0, 2.0, 3.0]);
    let (mut c, mut y, mut w) = (a22.clone(), v2.clone(), a23.clone());
    let n = Transpose::No;

    refused("vec_zip_map", || Mock::vec_zip_map(&v2, &v3, |x, _| x));
    refused("vec_zip_apply", || {
        Mock::vec_zip_apply(&mut y, &v3, |x, _| x)
    });
    refused("mat_zip_map", || Mock::mat_sub(&a23, &a22));
    refused("mat_zip_apply", || {
        Mock::mat_zip_apply(&mut c, &a23, |x, _| x)
    });
    refused("gemm", || Mock::gemm(&mut c, 1.0, &a23, n, &a22, n, 0.0));
    refused("gemm", || {
        Mock::gemm(&mut c, 1.0, &a23, Transpose::Yes, &a23, n, 1.0)
    });
    refused("gemv", || Mock::gemv(&mut y, 1.0, &a23, n, &v2, 0.0));
    refused("matmul", || Mock::matmul(&a23, n, &a22, n));
    refused("matvec", || Mock::matvec(&a23, Transpose::Yes, &v3));
    refused("vec_axpy", || Mock::vec_axpy(&mut y, 2.0, &v3));
    refused("mat_axpy", || Mock::mat_axpy(&mut c, 2.0, &a23));
    refused("vec_copy_from", || Mock::vec_copy_from(&mut y, &v3));
    refused("mat_copy_from", || Mock::mat_copy_from(&mut w, &a22));
    refused("ger", || Mock::ger(&mut c, 1.0, &v2, &v3, 1.0));
    // Nothing was written.
    assert_eq!((c, y, w), (a22, v2, a23));
}

#[test]
fn a_lifted_product_reports_the_error_of_its_primitive_under_its_own_name() {
    let (a, b) = (Mock::mat_zeros(2, 3), Mock::mat_zeros(2, 2));
    let (t, n) = (Transpose::Yes, Transpose::No);
    let mut c = Mock::mat_zeros(2, 2);
    let by_gemm = Mock::gemm(&mut c, 1.0, &a, n, &b, t, 0.0).unwrap_err();
    assert_eq!(
        Mock::matmul(&a, n, &b, t).unwrap_err(),
        by_gemm.with_op("matmul")
    );
    let x = vec![0.0; 2];
    let mut y = vec![0.0; 2];
    let by_gemv = Mock::gemv(&mut y, 1.0, &a, n, &x, 0.0).unwrap_err();
    assert_eq!(
        by_gemv,
        validate::gemv_shapes("gemv", 2, (2, 3), n, 2).unwrap_err()
    );
    assert_eq!(
        Mock::matvec(&a, n, &x).unwrap_err(),
        by_gemv.with_op("matvec")
    );
}

#[test]
fn provided_methods_call_their_hook_once_when_the_shapes_fit() {
    let a = mat(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let (n, t) = (Transpose::No, Transpose::Yes);

    let (p, hooks) = counting(|| Mock::matmul(&a, n, &a, t).unwrap());
    assert_eq!((p, hooks), (mat(2, 2, &[14.0, 32.0, 32.0, 77.0]), 1));
    let mut c = Mock::mat_identity(2);
    let (r, hooks) = counting(|| Mock::gemm(&mut c, 1.0, &a, n, &a, t, 2.0));
    assert_eq!(
        (r, hooks, c),
        (Ok(()), 1, mat(2, 2, &[16.0, 32.0, 32.0, 79.0]))
    );

    let (y, hooks) = counting(|| Mock::matvec(&a, t, &vec![1.0, -1.0]).unwrap());
    assert_eq!((y, hooks), (vec![-3.0, -3.0, -3.0], 1));

    let mut y = vec![1.0, 2.0];
    let (r, hooks) = counting(|| Mock::vec_axpy(&mut y, 2.0, &vec![10.0, 20.0]));
    assert_eq!((r, hooks, y), (Ok(()), 1, vec![21.0, 42.0]));
    let (s, hooks) = counting(|| Mock::vec_add(&vec![1.0], &vec![2.0]).unwrap());
    assert_eq!((s, hooks), (vec![3.0], 1));

    let mut m = Mock::mat_zeros(2, 3);
    let (r, hooks) = counting(|| Mock::mat_copy_from(&mut m, &a));
    assert_eq!((r, hooks, &m), (Ok(()), 1, &a));
    let (r, hooks) = counting(|| Mock::mat_axpy(&mut m, -1.0, &a));
    assert_eq!((r, hooks, m), (Ok(()), 1, Mock::mat_zeros(2, 3)));

    let mut g = Mock::mat_zeros(2, 3);
    Mock::ger(&mut g, 2.0, &vec![1.0, 2.0], &vec![1.0, 0.0, -1.0], 1.0).unwrap();
    assert_eq!(g, mat(2, 3, &[2.0, 0.0, -2.0, 4.0, 0.0, -4.0]));
    // beta = 0 writes over the old contents without reading them, NaN included.
    let mut g = mat(2, 3, &[f64::NAN; 6]);
    Mock::ger(&mut g, 2.0, &vec![1.0, 2.0], &vec![1.0, 0.0, -1.0], 0.0).unwrap();
    assert_eq!(g, mat(2, 3, &[2.0, 0.0, -2.0, 4.0, 0.0, -4.0]));
}
