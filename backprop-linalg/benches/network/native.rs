//! The benchmark network's passes written directly against each matrix library, as the best
//! code a user could write with it: the baseline the paired benchmark holds autodiff to.
//!
//! Nothing of this project is in these passes (no backend trait, no tape, no pool): parameters,
//! data and every intermediate live in the library's own types, allocated once in `new`;
//! products write straight into their destination (`β = 0`, or accumulate onto a bias already
//! in place); each element-wise step is one fused loop over a buffer (the logistic in place on
//! the product's output, its derivative fused with the cotangent, softmax and the
//! cross-entropy's cotangent in one pass per column); a bias gradient doubles as the layer's
//! cotangent, so a backward pass allocates nothing. A gradient is left in the passes' own
//! buffers, where a user's optimiser would read it.
//!
//! - [`FaerPasses`]: faer's `Mat`/`Col`, products by faer's GEMM (`matmul_with_conj`,
//!   transposes as views), each followed by `vzeroupper` as in the backend. The baseline of the
//!   faer backend, and of the ndarray backend, whose products are faer's kernels on views of
//!   its arrays (ndarray's own `general_mat_mul` is slower on this machine class, so faer is
//!   the best a user of ndarray storage can do).
//! - [`NalgebraPasses`]: nalgebra's `DMatrix`/`DVector`, products by its `gemv`, `gemv_tr`,
//!   `ger` and `gemm`. nalgebra has no GEMM with a transposed operand that runs its GEMM kernel
//!   (`gemm_tr` walks dot products), so `Hᵀ` and `Wᵀ` are transposed into preallocated buffers
//!   (`transpose_to`), and the constant data's `Xᵀ` once, in `new`.
//!
//! Both are generic over the precision (`f32`, `f64`).

use backprop_linalg::backends::faer::linalg::matmul::matmul_with_conj;
use backprop_linalg::backends::faer::{self, Accum, Col, Conj, Mat, MatMut, MatRef, Par};
use backprop_linalg::backends::nalgebra::{self, DMatrix, DVector};
use backprop_linalg::{Backend, RealScalar};

use crate::network::{Minibatch, Net, Sample};

/// The network's passes on one library's own types, all allocated by `new`.
pub trait Passes<B: Backend> {
    /// The network and data of a benchmark setup, copied into the library's types.
    fn new(net: &Net<B>, sample: &Sample<B>, batch: &Minibatch<B>) -> Self;
    /// The loss of one sample, `−Σ tᵢ·ln pᵢ`.
    fn run(&mut self) -> B::Real;
    /// The gradient of one sample's loss, into the gradient buffers.
    fn grad(&mut self);
    /// The gradient of the batch's summed loss, into the gradient buffers.
    fn grad_batch(&mut self);
    /// One step of gradient descent on one sample: `θ ← θ − rate·∇`, in place.
    fn descent(&mut self, rate: f64);
    /// The gradient of the first weight, row-major, in `f64` (to check against autodiff).
    fn w1_gradient(&self) -> Vec<f64>;
}

// Scalar helpers: inside the `Passes` impls `T` is also a `Backprop` and `Elementary` type
// (`B::Real`), whose `zero`, `exp`, ... would be ambiguous with the float ones.
fn zero<T: RealScalar>() -> T {
    T::from_f64_real(0.0)
}

fn one<T: RealScalar>() -> T {
    T::from_f64_real(1.0)
}

fn exp<T: RealScalar>(x: T) -> T {
    num_traits::Float::exp(x)
}

fn ln<T: RealScalar>(x: T) -> T {
    num_traits::Float::ln(x)
}

/// `1/(1 + e^{−z})`.
fn sigmoid<T: RealScalar>(z: T) -> T {
    T::one() / (T::one() + (-z).exp())
}

/// A setup's numbers in row-major order: the three weights as `(rows, cols, entries)`, the
/// three biases, the sample `(x, t)` and the batch `(X, T)` as `(rows, cols, entries)`.
struct Numbers<T> {
    w: [(usize, usize, Vec<T>); 3],
    b: [Vec<T>; 3],
    x: Vec<T>,
    t: Vec<T>,
    xb: (usize, usize, Vec<T>),
    tb: (usize, usize, Vec<T>),
}

impl<T: RealScalar> Numbers<T> {
    fn new<B: Backend<Real = T>>(net: &Net<B>, sample: &Sample<B>, batch: &Minibatch<B>) -> Self {
        let m = |(r, c): (usize, usize), v: Vec<T>| (r, c, v);
        Numbers {
            w: [
                m(net.w1.shape(), net.w1.to_row_major()),
                m(net.w2.shape(), net.w2.to_row_major()),
                m(net.w3.shape(), net.w3.to_row_major()),
            ],
            b: [net.b1.to_vec(), net.b2.to_vec(), net.b3.to_vec()],
            x: sample.0.to_vec(),
            t: sample.1.to_vec(),
            xb: m(batch.0.shape(), batch.0.to_row_major()),
            tb: m(batch.1.shape(), batch.1.to_row_major()),
        }
    }

    /// The layer widths.
    fn widths(&self) -> [usize; 3] {
        [self.w[0].0, self.w[1].0, self.w[2].0]
    }
}

// ---------- faer ----------

/// `C = A·B`, or `C += A·B` when `accumulate`; sequential, as the backends run it.
fn gemm<T: RealScalar + faer::traits::RealField>(
    c: MatMut<'_, T>,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    accumulate: bool,
) {
    let accum = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    matmul_with_conj(c, accum, a, Conj::No, b, Conj::No, T::one(), Par::Seq);
    // faer's AVX-512 kernels return without `vzeroupper`, and the scalar code after a product
    // (`exp` in the logistic) then runs several times slower; a user of faer clears the state
    // as the backend does. The instruction needs `unsafe`, which this crate forbids, so the
    // backend's two-line helper is called here.
    backprop_faer::kernels::clear_upper_simd_state();
}

fn slice<T>(v: &Col<T>) -> &[T] {
    v.try_as_col_major()
        .expect("an owned column is contiguous")
        .as_slice()
}

fn slice_mut<T>(v: &mut Col<T>) -> &mut [T] {
    v.try_as_col_major_mut()
        .expect("an owned column is contiguous")
        .as_slice_mut()
}

/// `out = W·x + b`: the bias copied in, the product accumulated onto it.
fn affine<T: RealScalar + faer::traits::RealField>(
    out: &mut Col<T>,
    w: &Mat<T>,
    x: &Col<T>,
    b: &Col<T>,
) {
    slice_mut(out).copy_from_slice(slice(b));
    gemm(out.as_mat_mut(), w.as_ref(), x.as_mat(), true);
}

/// `OUT = W·X + b·1ᵀ`: the bias copied into every column, the product accumulated onto it.
fn affine_cols<T: RealScalar + faer::traits::RealField>(
    out: &mut Mat<T>,
    w: &Mat<T>,
    x: MatRef<'_, T>,
    b: &Col<T>,
) {
    for j in 0..out.ncols() {
        out.col_as_slice_mut(j).copy_from_slice(slice(b));
    }
    gemm(out.as_mut(), w.as_ref(), x, true);
}

/// `f` on every entry of `a`, in place, one contiguous column at a time.
fn map_in_place<T: Copy>(a: &mut Mat<T>, f: impl Fn(T) -> T) {
    for j in 0..a.ncols() {
        for v in a.col_as_slice_mut(j) {
            *v = f(*v);
        }
    }
}

/// `d ← d ∘ h ∘ (1 − h)`: the logistic's derivative, from its output `h`.
fn logistic_cotangent<T: RealScalar>(d: &mut [T], h: &[T]) {
    for (d, &h) in d.iter_mut().zip(h) {
        *d = *d * h * (T::one() - h);
    }
}

/// `y ← y − rate·g`.
fn descend_slice<T: RealScalar>(y: &mut [T], g: &[T], rate: T) {
    for (y, &g) in y.iter_mut().zip(g) {
        *y -= rate * g;
    }
}

/// The network's passes on faer's own types (see the module documentation).
pub struct FaerPasses<T> {
    w: [Mat<T>; 3],
    b: [Col<T>; 3],
    /// The gradient (a bias gradient is also its layer's cotangent).
    gw: [Mat<T>; 3],
    gb: [Col<T>; 3],
    x: Col<T>,
    t: Col<T>,
    xb: Mat<T>,
    tb: Mat<T>,
    /// One sample's activations: `h₁`, `h₂` and the softmax `p`.
    h: [Col<T>; 3],
    /// The batch's activations `H₁`, `H₂`, `E` (then `P`), and cotangents `D₁`, `D₂`, `D₃`.
    hb: [Mat<T>; 3],
    db: [Mat<T>; 3],
}

impl<T: RealScalar + faer::traits::RealField> FaerPasses<T> {
    /// One sample forward: `h₁`, `h₂` and the softmax `p`.
    fn forward(&mut self) {
        let (w, b) = (&self.w, &self.b);
        let [h1, h2, p] = &mut self.h;
        affine(h1, &w[0], &self.x, &b[0]);
        slice_mut(h1).iter_mut().for_each(|v| *v = sigmoid(*v));
        affine(h2, &w[1], h1, &b[1]);
        slice_mut(h2).iter_mut().for_each(|v| *v = sigmoid(*v));
        affine(p, &w[2], h2, &b[2]);
        let p = slice_mut(p);
        p.iter_mut().for_each(|v| *v = exp(*v));
        let s = p.iter().fold(zero::<T>(), |s, &v| s + v);
        p.iter_mut().for_each(|v| *v /= s);
    }
}

impl<B: Backend<Real = T>, T: RealScalar + faer::traits::RealField> Passes<B> for FaerPasses<T> {
    fn new(net: &Net<B>, sample: &Sample<B>, batch: &Minibatch<B>) -> Self {
        let n = Numbers::new(net, sample, batch);
        let mat = |(r, c, v): &(usize, usize, Vec<T>)| Mat::from_fn(*r, *c, |i, j| v[i * c + j]);
        let col = |v: &Vec<T>| Col::from_fn(v.len(), |i| v[i]);
        let widths = n.widths();
        let samples = n.xb.1;
        FaerPasses {
            w: [mat(&n.w[0]), mat(&n.w[1]), mat(&n.w[2])],
            b: [col(&n.b[0]), col(&n.b[1]), col(&n.b[2])],
            gw: [0, 1, 2].map(|k| Mat::zeros(n.w[k].0, n.w[k].1)),
            gb: widths.map(Col::zeros),
            x: col(&n.x),
            t: col(&n.t),
            xb: mat(&n.xb),
            tb: mat(&n.tb),
            h: widths.map(Col::zeros),
            hb: widths.map(|r| Mat::zeros(r, samples)),
            db: widths.map(|r| Mat::zeros(r, samples)),
        }
    }

    fn run(&mut self) -> T {
        self.forward();
        let p = slice(&self.h[2]);
        -slice(&self.t)
            .iter()
            .zip(p)
            .fold(zero::<T>(), |s, (&t, &p)| s + t * ln(p))
    }

    fn grad(&mut self) {
        self.forward();
        let [h1, h2, p] = &self.h;
        let [g1, g2, g3] = &mut self.gb;
        let [gw1, gw2, gw3] = &mut self.gw;
        let w = &self.w;
        // Softmax with cross-entropy: d₃ = p·Σt − t.
        let t = slice(&self.t);
        let st = t.iter().fold(zero::<T>(), |s, &v| s + v);
        for ((d, &p), &t) in slice_mut(g3).iter_mut().zip(slice(p)).zip(t) {
            *d = p * st - t;
        }
        gemm(gw3.as_mut(), g3.as_mat(), h2.as_mat().transpose(), false);
        gemm(
            g2.as_mat_mut(),
            w[2].as_ref().transpose(),
            g3.as_mat(),
            false,
        );
        logistic_cotangent(slice_mut(g2), slice(h2));
        gemm(gw2.as_mut(), g2.as_mat(), h1.as_mat().transpose(), false);
        gemm(
            g1.as_mat_mut(),
            w[1].as_ref().transpose(),
            g2.as_mat(),
            false,
        );
        logistic_cotangent(slice_mut(g1), slice(h1));
        gemm(
            gw1.as_mut(),
            g1.as_mat(),
            self.x.as_mat().transpose(),
            false,
        );
    }

    fn grad_batch(&mut self) {
        let (w, b) = (&self.w, &self.b);
        let [h1, h2, e] = &mut self.hb;
        let [d1, d2, d3] = &mut self.db;
        let [g1, g2, g3] = &mut self.gb;
        let [gw1, gw2, gw3] = &mut self.gw;
        affine_cols(h1, &w[0], self.xb.as_ref(), &b[0]);
        map_in_place(h1, sigmoid);
        affine_cols(h2, &w[1], h1.as_ref(), &b[1]);
        map_in_place(h2, sigmoid);
        affine_cols(e, &w[2], h2.as_ref(), &b[2]);
        // Per column: softmax and the cotangent D₃ = P·Σt − T, one pass.
        for j in 0..e.ncols() {
            let col = e.col_as_slice_mut(j);
            col.iter_mut().for_each(|v| *v = exp(*v));
            let s = col.iter().fold(zero::<T>(), |s, &v| s + v);
            let t = self.tb.col_as_slice(j);
            let st = t.iter().fold(zero::<T>(), |s, &v| s + v);
            for ((d, &e), &t) in d3.col_as_slice_mut(j).iter_mut().zip(&*col).zip(t) {
                *d = e / s * st - t;
            }
        }
        let row_sums = |g: &mut Col<T>, d: &Mat<T>| {
            let g = slice_mut(g);
            g.fill(zero::<T>());
            for j in 0..d.ncols() {
                for (g, &v) in g.iter_mut().zip(d.col_as_slice(j)) {
                    *g += v;
                }
            }
        };
        gemm(gw3.as_mut(), d3.as_ref(), h2.as_ref().transpose(), false);
        row_sums(g3, d3);
        gemm(d2.as_mut(), w[2].as_ref().transpose(), d3.as_ref(), false);
        for j in 0..d2.ncols() {
            logistic_cotangent(d2.col_as_slice_mut(j), h2.col_as_slice(j));
        }
        gemm(gw2.as_mut(), d2.as_ref(), h1.as_ref().transpose(), false);
        row_sums(g2, d2);
        gemm(d1.as_mut(), w[1].as_ref().transpose(), d2.as_ref(), false);
        for j in 0..d1.ncols() {
            logistic_cotangent(d1.col_as_slice_mut(j), h1.col_as_slice(j));
        }
        gemm(
            gw1.as_mut(),
            d1.as_ref(),
            self.xb.as_ref().transpose(),
            false,
        );
        row_sums(g1, d1);
    }

    fn descent(&mut self, rate: f64) {
        <Self as Passes<B>>::grad(self);
        let rate = T::from_f64_real(rate);
        for k in 0..3 {
            for j in 0..self.w[k].ncols() {
                descend_slice(
                    self.w[k].col_as_slice_mut(j),
                    self.gw[k].col_as_slice(j),
                    rate,
                );
            }
            descend_slice(slice_mut(&mut self.b[k]), slice(&self.gb[k]), rate);
        }
    }

    fn w1_gradient(&self) -> Vec<f64> {
        let g = &self.gw[0];
        (0..g.nrows())
            .flat_map(|i| (0..g.ncols()).map(move |j| g[(i, j)].to_f64_real()))
            .collect()
    }
}

// ---------- nalgebra ----------

/// The network's passes on nalgebra's own types (see the module documentation).
pub struct NalgebraPasses<T: nalgebra::Scalar> {
    w: [DMatrix<T>; 3],
    b: [DVector<T>; 3],
    /// `W₂ᵀ` and `W₃ᵀ`, transposed into these buffers by each batch pass.
    wt: [DMatrix<T>; 2],
    gw: [DMatrix<T>; 3],
    gb: [DVector<T>; 3],
    x: DVector<T>,
    t: DVector<T>,
    xb: DMatrix<T>,
    /// `Xᵀ`, transposed once: the data are constant.
    xbt: DMatrix<T>,
    tb: DMatrix<T>,
    h: [DVector<T>; 3],
    hb: [DMatrix<T>; 3],
    /// `H₁ᵀ` and `H₂ᵀ`, transposed into these buffers by each batch pass.
    hbt: [DMatrix<T>; 2],
    db: [DMatrix<T>; 3],
}

impl<T: RealScalar + nalgebra::RealField> NalgebraPasses<T> {
    fn forward(&mut self) {
        let (w, b, one) = (&self.w, &self.b, one::<T>());
        let [h1, h2, p] = &mut self.h;
        h1.copy_from(&b[0]);
        h1.gemv(one, &w[0], &self.x, one);
        h1.apply(|v| *v = sigmoid(*v));
        h2.copy_from(&b[1]);
        h2.gemv(one, &w[1], h1, one);
        h2.apply(|v| *v = sigmoid(*v));
        p.copy_from(&b[2]);
        p.gemv(one, &w[2], h2, one);
        p.apply(|v| *v = exp(*v));
        let s = p.iter().fold(zero::<T>(), |s, &v| s + v);
        p.apply(|v| *v /= s);
    }
}

impl<B: Backend<Real = T>, T: RealScalar + nalgebra::RealField> Passes<B> for NalgebraPasses<T> {
    fn new(net: &Net<B>, sample: &Sample<B>, batch: &Minibatch<B>) -> Self {
        let n = Numbers::new(net, sample, batch);
        let mat = |(r, c, v): &(usize, usize, Vec<T>)| DMatrix::from_row_slice(*r, *c, v);
        let widths = n.widths();
        let samples = n.xb.1;
        let xb = mat(&n.xb);
        let zeros = |r, c| DMatrix::from_element(r, c, zero::<T>());
        NalgebraPasses {
            w: [mat(&n.w[0]), mat(&n.w[1]), mat(&n.w[2])],
            b: [0, 1, 2].map(|k| DVector::from_vec(n.b[k].clone())),
            wt: [zeros(n.w[1].1, n.w[1].0), zeros(n.w[2].1, n.w[2].0)],
            gw: [0, 1, 2].map(|k| zeros(n.w[k].0, n.w[k].1)),
            gb: widths.map(|r| DVector::from_element(r, zero::<T>())),
            x: DVector::from_vec(n.x.clone()),
            t: DVector::from_vec(n.t.clone()),
            xbt: xb.transpose(),
            xb,
            tb: mat(&n.tb),
            h: widths.map(|r| DVector::from_element(r, zero::<T>())),
            hb: widths.map(|r| zeros(r, samples)),
            hbt: [zeros(samples, widths[0]), zeros(samples, widths[1])],
            db: widths.map(|r| zeros(r, samples)),
        }
    }

    fn run(&mut self) -> T {
        self.forward();
        -self
            .t
            .iter()
            .zip(self.h[2].iter())
            .fold(zero::<T>(), |s, (&t, &p)| s + t * ln(p))
    }

    fn grad(&mut self) {
        self.forward();
        let (zero, one) = (zero::<T>(), one::<T>());
        let [h1, h2, p] = &self.h;
        let [g1, g2, g3] = &mut self.gb;
        let [gw1, gw2, gw3] = &mut self.gw;
        let w = &self.w;
        let st = self.t.iter().fold(zero, |s, &v| s + v);
        for ((d, &p), &t) in g3.iter_mut().zip(p.iter()).zip(self.t.iter()) {
            *d = p * st - t;
        }
        gw3.ger(one, g3, h2, zero);
        g2.gemv_tr(one, &w[2], g3, zero);
        g2.zip_apply(h2, |d, h| *d = *d * h * (one - h));
        gw2.ger(one, g2, h1, zero);
        g1.gemv_tr(one, &w[1], g2, zero);
        g1.zip_apply(h1, |d, h| *d = *d * h * (one - h));
        gw1.ger(one, g1, &self.x, zero);
    }

    fn grad_batch(&mut self) {
        let (zero, one) = (zero::<T>(), one::<T>());
        let (w, b) = (&self.w, &self.b);
        let [h1, h2, e] = &mut self.hb;
        let [h1t, h2t] = &mut self.hbt;
        let [w2t, w3t] = &mut self.wt;
        let [d1, d2, d3] = &mut self.db;
        let [g1, g2, g3] = &mut self.gb;
        let [gw1, gw2, gw3] = &mut self.gw;
        let affine_cols = |out: &mut DMatrix<T>, w: &DMatrix<T>, x: &DMatrix<T>, b: &DVector<T>| {
            for mut c in out.column_iter_mut() {
                c.copy_from(b);
            }
            out.gemm(one, w, x, one);
        };
        affine_cols(h1, &w[0], &self.xb, &b[0]);
        h1.apply(|v| *v = sigmoid(*v));
        affine_cols(h2, &w[1], h1, &b[1]);
        h2.apply(|v| *v = sigmoid(*v));
        affine_cols(e, &w[2], h2, &b[2]);
        for j in 0..e.ncols() {
            let mut col = e.column_mut(j);
            col.apply(|v| *v = exp(*v));
            let s = col.iter().fold(zero, |s, &v| s + v);
            let t = self.tb.column(j);
            let st = t.iter().fold(zero, |s, &v| s + v);
            for ((d, &e), &t) in d3.column_mut(j).iter_mut().zip(col.iter()).zip(t.iter()) {
                *d = e / s * st - t;
            }
        }
        let row_sums = |g: &mut DVector<T>, d: &DMatrix<T>| {
            g.fill(zero);
            for c in d.column_iter() {
                g.axpy(one, &c, one);
            }
        };
        h2.transpose_to(h2t);
        gw3.gemm(one, d3, h2t, zero);
        row_sums(g3, d3);
        w[2].transpose_to(w3t);
        d2.gemm(one, w3t, d3, zero);
        d2.zip_apply(h2, |d, h| *d = *d * h * (one - h));
        h1.transpose_to(h1t);
        gw2.gemm(one, d2, h1t, zero);
        row_sums(g2, d2);
        w[1].transpose_to(w2t);
        d1.gemm(one, w2t, d2, zero);
        d1.zip_apply(h1, |d, h| *d = *d * h * (one - h));
        gw1.gemm(one, d1, &self.xbt, zero);
        row_sums(g1, d1);
    }

    fn descent(&mut self, rate: f64) {
        <Self as Passes<B>>::grad(self);
        let rate = T::from_f64_real(rate);
        for k in 0..3 {
            self.w[k].zip_apply(&self.gw[k], |w, g| *w -= rate * g);
            self.b[k].zip_apply(&self.gb[k], |b, g| *b -= rate * g);
        }
    }

    fn w1_gradient(&self) -> Vec<f64> {
        let g = &self.gw[0];
        (0..g.nrows())
            .flat_map(|i| (0..g.ncols()).map(move |j| g[(i, j)].to_f64_real()))
            .collect()
    }
}
