//! The network of Haskell `backprop`'s bench/bench.hs (784 → 300 → 100 → 10, logistic
//! hidden layers, softmax output, cross-entropy against a target in [0, 1]¹⁰), its loss written
//! once over `BVar`s, and the same forward and backward passes written by hand on the backend's
//! primitives: what `benches/mlp.rs` times and the workspace's `tests/tests/allocations.rs` weighs.
//!
//! Everything is generic over the backend and so over its precision (`Faer` in `f64`,
//! `Faer<f32>` in `f32`). The loss is generic over the layer sizes, so the same code runs the network with static sizes
//! (`Net<B>`) and with run-time sizes (`DynNet<B>`, every size `Dyn`): the `dyn_*` measurements
//! compare the two.

use std::hint::black_box;

use backprop_backend::{LinalgBackend, RealScalar, Transpose};
use backprop_linalg::typenum::{U1, U10, U100, U128, U300, U784};
use backprop_linalg::{
    BVar, Backend, Backprop, Dim, Dyn, Elementary, L, R, affine, affine_cols, dot, eval_bp_data,
    grad_bp_data, logistic, mul, scale, sum_elements,
};

/// Samples per batch.
pub type Batch = U128;

/// One sample: (input, target).
pub type Sample<B, I = U784, O = U10> = (R<I, B>, R<O, B>);
/// A batch as columns: (inputs, targets).
pub type Minibatch<B, I = U784, O = U10, S = Batch> = (L<I, S, B>, L<O, S, B>);

/// The network's parameters: `I` inputs, hidden layers of `H1` and `H2`, `O` outputs.
#[derive(Clone, Backprop)]
pub struct Net<B: Backend, I: Dim = U784, H1: Dim = U300, H2: Dim = U100, O: Dim = U10> {
    pub w1: L<H1, I, B>,
    pub b1: R<H1, B>,
    pub w2: L<H2, H1, B>,
    pub b2: R<H2, B>,
    pub w3: L<O, H2, B>,
    pub b3: R<O, B>,
}

/// The same network with every size known only at run time.
pub type DynNet<B> = Net<B, Dyn, Dyn, Dyn, Dyn>;

/// `x` in `B`'s precision.
pub fn real<B: Backend>(x: f64) -> B::Real {
    B::Real::from_f64_real(x)
}

/// A deterministic uniform stream (xorshift), so every backend sees the same numbers.
pub struct Uniform(pub u64);

impl Uniform {
    pub fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
}

impl<B: Backend> Net<B> {
    /// The same parameters with run-time sizes.
    pub fn to_dyn(&self) -> DynNet<B> {
        Net {
            w1: self.w1.clone().into_dyn(),
            b1: self.b1.clone().into_dyn(),
            w2: self.w2.clone().into_dyn(),
            b2: self.b2.clone().into_dyn(),
            w3: self.w3.clone().into_dyn(),
            b3: self.b3.clone().into_dyn(),
        }
    }

    pub fn new(rng: &mut Uniform) -> Self {
        let mut w = || real::<B>(rng.next(-0.5, 0.5));
        Net {
            w1: L::from_fn(|_, _| w()),
            b1: R::from_fn(|_| w()),
            w2: L::from_fn(|_, _| w()),
            b2: R::from_fn(|_| w()),
            w3: L::from_fn(|_, _| w()),
            b3: R::from_fn(|_| w()),
        }
    }

    /// `self − rate·grad`, in place.
    pub fn descend(&mut self, grad: &Self, rate: f64) {
        let rate = real::<B>(rate);
        self.w1
            .update_data(|d| B::mat_axpy(d, -rate, grad.w1.as_data()))
            .unwrap();
        self.b1
            .update_data(|d| B::vec_axpy(d, -rate, grad.b1.as_data()))
            .unwrap();
        self.w2
            .update_data(|d| B::mat_axpy(d, -rate, grad.w2.as_data()))
            .unwrap();
        self.b2
            .update_data(|d| B::vec_axpy(d, -rate, grad.b2.as_data()))
            .unwrap();
        self.w3
            .update_data(|d| B::mat_axpy(d, -rate, grad.w3.as_data()))
            .unwrap();
        self.b3
            .update_data(|d| B::vec_axpy(d, -rate, grad.b3.as_data()))
            .unwrap();
    }
}

// ---------- what is measured ----------

/// The network and the data every measurement reads, drawn from one seed, so that every backend
/// sees the same numbers.
pub struct Setup<B: Backend> {
    pub net: Net<B>,
    pub sample: Sample<B>,
    pub batch: Minibatch<B>,
}

/// The same network and data with run-time sizes.
pub struct DynSetup<B: Backend> {
    pub net: DynNet<B>,
    pub sample: Sample<B, Dyn, Dyn>,
    pub batch: Minibatch<B, Dyn, Dyn, Dyn>,
}

/// One measurement: its name and the two passes it compares.
pub struct Measurement<'a> {
    pub name: &'static str,
    pub autodiff: Box<dyn FnMut() + 'a>,
    pub hand: Box<dyn FnMut() + 'a>,
}

impl<B: Backend> Setup<B> {
    pub fn new() -> Self {
        let mut rng = Uniform(0x9e37_79b9_7f4a_7c15);
        let net = Net::new(&mut rng);
        let sample = (
            R::from_fn(|_| real::<B>(rng.next(0.0, 1.0))),
            R::from_fn(|_| real::<B>(rng.next(0.0, 1.0))),
        );
        let batch = (
            L::from_fn(|_, _| real::<B>(rng.next(0.0, 1.0))),
            L::from_fn(|_, _| real::<B>(rng.next(0.0, 1.0))),
        );
        Setup { net, sample, batch }
    }

    /// Panics unless autodiff and the hand-written passes give the same gradients.
    pub fn check_gradients(&self) {
        let (net, (x, t), (xb, tb)) = (&self.net, &self.sample, &self.batch);
        let max_diff = |a: &Net<B>, b: &Net<B>| {
            (&a.w1 - &b.w1)
                .to_row_major()
                .iter()
                .fold(0.0f64, |m, v| m.max(v.to_f64_real().abs()))
        };
        // Rounding apart: the two passes sum in different orders.
        let single = std::mem::size_of::<B::Real>() == 4;
        let (tol, tol_batch) = if single { (1e-4, 1e-3) } else { (1e-10, 1e-9) };
        let diff = max_diff(
            &grad_bp_data(loss, net, &self.sample),
            &grad_hand(net, x, t),
        );
        assert!(
            diff < tol,
            "{}: autodiff and hand-written gradients differ by {diff}",
            B::NAME
        );
        let diff = max_diff(
            &grad_bp_data(loss_batch, net, &self.batch),
            &grad_batch_hand(net, xb, tb),
        );
        assert!(
            diff < tol_batch,
            "{}: batch gradients differ by {diff}",
            B::NAME
        );
    }

    /// The same network and data with run-time sizes.
    pub fn to_dyn(&self) -> DynSetup<B> {
        let ((x, t), (xb, tb)) = (&self.sample, &self.batch);
        DynSetup {
            net: self.net.to_dyn(),
            sample: (x.clone().into_dyn(), t.clone().into_dyn()),
            batch: (xb.clone().into_dyn(), tb.clone().into_dyn()),
        }
    }

    /// `dyn_grad`, `dyn_grad_batch` and `dyn_run`: the autodiff passes of the network with
    /// run-time sizes (`dynamic`, in the `autodiff` slot) against the same passes with static
    /// sizes (in the `hand` slot), on the same numbers.
    pub fn dynamic_measurements<'a>(&'a self, dynamic: &'a DynSetup<B>) -> Vec<Measurement<'a>> {
        let (net, sample, batch) = (&self.net, &self.sample, &self.batch);
        let (dnet, dsample, dbatch) = (&dynamic.net, &dynamic.sample, &dynamic.batch);
        vec![
            Measurement {
                name: "dyn_grad",
                autodiff: Box::new(move || {
                    black_box(grad_bp_data(loss, black_box(dnet), dsample));
                }),
                hand: Box::new(move || {
                    black_box(grad_bp_data(loss, black_box(net), sample));
                }),
            },
            Measurement {
                name: "dyn_grad_batch",
                autodiff: Box::new(move || {
                    black_box(grad_bp_data(loss_batch, black_box(dnet), dbatch));
                }),
                hand: Box::new(move || {
                    black_box(grad_bp_data(loss_batch, black_box(net), batch));
                }),
            },
            Measurement {
                name: "dyn_run",
                autodiff: Box::new(move || {
                    black_box(eval_bp_data(loss, black_box(dnet), dsample));
                }),
                hand: Box::new(move || {
                    black_box(eval_bp_data(loss, black_box(net), sample));
                }),
            },
        ]
    }

    /// `grad`, `grad_batch`, `run` and `descent`, each as an autodiff and a hand-written pass.
    ///
    /// Both sides read the same buffers: where the input vector lies (its alignment against the
    /// cache lines of `W₁`'s rows) moves the GEMV of the first layer by up to 16 % on ndarray, so
    /// a copy on one side would measure placement, not autodiff.
    pub fn measurements(&self) -> Vec<Measurement<'_>> {
        let (net, sample, batch) = (&self.net, &self.sample, &self.batch);
        let ((x, t), (xb, tb)) = (sample, batch);
        let (mut n1, mut n2) = (net.clone(), net.clone());
        vec![
            Measurement {
                name: "grad",
                autodiff: Box::new(move || {
                    black_box(grad_bp_data(loss, black_box(net), sample));
                }),
                hand: Box::new(move || {
                    black_box(grad_hand(black_box(net), x, t));
                }),
            },
            Measurement {
                name: "grad_batch",
                autodiff: Box::new(move || {
                    black_box(grad_bp_data(loss_batch, black_box(net), batch));
                }),
                hand: Box::new(move || {
                    black_box(grad_batch_hand(black_box(net), xb, tb));
                }),
            },
            Measurement {
                name: "run",
                autodiff: Box::new(move || {
                    black_box(eval_bp_data(loss, black_box(net), sample));
                }),
                hand: Box::new(move || {
                    black_box(run_hand(black_box(net), x, t));
                }),
            },
            Measurement {
                name: "descent",
                autodiff: Box::new(move || {
                    let grad = grad_bp_data(loss, &n1, sample);
                    n1.descend(&grad, 0.01);
                }),
                hand: Box::new(move || {
                    let grad = grad_hand(&n2, x, t);
                    n2.descend(&grad, 0.01);
                }),
            },
        ]
    }
}

// ---------- autodiff: the loss written once over BVars ----------

/// One sample: `data` is (input, target), borrowed onto the tape as a constant.
pub fn loss<'t, B, I, H1, H2, O>(
    net: BVar<'t, Net<B, I, H1, H2, O>>,
    data: BVar<'t, Sample<B, I, O>>,
) -> BVar<'t, B::Real>
where
    B: Backend,
    I: Dim,
    H1: Dim,
    H2: Dim,
    O: Dim,
{
    let NetVars {
        w1,
        b1,
        w2,
        b2,
        w3,
        b3,
    } = net.split();
    let (x, t) = data.split();
    let h1 = affine(w1, x, b1).logistic();
    let h2 = affine(w2, h1, b2).logistic();
    let e = affine(w3, h2, b3).exp();
    let p = scale(sum_elements(e).recip(), e);
    -dot(t, p.ln())
}

/// A batch as columns: `data` is (inputs, targets).
pub fn loss_batch<'t, B, I, H1, H2, O, S>(
    net: BVar<'t, Net<B, I, H1, H2, O>>,
    data: BVar<'t, Minibatch<B, I, O, S>>,
) -> BVar<'t, B::Real>
where
    B: Backend,
    I: Dim,
    H1: Dim,
    H2: Dim,
    O: Dim,
    S: Dim,
{
    let NetVars {
        w1,
        b1,
        w2,
        b2,
        w3,
        b3,
    } = net.split();
    let (x, t) = data.split();
    let tape = net.tape();
    let h1 = affine_cols(w1, x, b1).logistic();
    let h2 = affine_cols(w2, h1, b2).logistic();
    let e = affine_cols(w3, h2, b3).exp();
    // Column sums of e, spread back over the 10 rows.
    let o = e.value().shape().0;
    let one = real::<B>(1.0);
    let sums = mul(tape.constant(L::<U1, O, B>::konst_shape(1, o, one)), e);
    let spread = mul(tape.constant(L::<O, U1, B>::konst_shape(o, 1, one)), sums);
    let p = e / spread;
    -sum_elements(t * p.ln())
}

// ---------- hand-written forward and backward on the same backend ----------

pub fn logistic_v<B: Backend>(v: &mut <B as LinalgBackend<B::Real>>::Vector) {
    B::vec_map_mut(v, logistic);
}

/// Forward pass for one sample: the hidden activations and the softmax output.
#[allow(clippy::type_complexity)]
pub fn forward_hand<B: Backend>(
    n: &Net<B>,
    x: &R<U784, B>,
) -> (
    <B as LinalgBackend<B::Real>>::Vector,
    <B as LinalgBackend<B::Real>>::Vector,
    <B as LinalgBackend<B::Real>>::Vector,
) {
    let one = real::<B>(1.0);
    let mut h1 = n.b1.as_data().clone();
    B::gemv(
        &mut h1,
        one,
        n.w1.as_data(),
        Transpose::No,
        x.as_data(),
        one,
    )
    .unwrap();
    logistic_v::<B>(&mut h1);
    let mut h2 = n.b2.as_data().clone();
    B::gemv(&mut h2, one, n.w2.as_data(), Transpose::No, &h1, one).unwrap();
    logistic_v::<B>(&mut h2);
    let mut p = n.b3.as_data().clone();
    B::gemv(&mut p, one, n.w3.as_data(), Transpose::No, &h2, one).unwrap();
    B::vec_map_mut(&mut p, Elementary::exp);
    let s = B::vec_sum(&p);
    B::vec_map_mut(&mut p, |v| v / s);
    (h1, h2, p)
}

pub fn run_hand<B: Backend>(n: &Net<B>, x: &R<U784, B>, t: &R<U10, B>) -> B::Real {
    let (_, _, p) = forward_hand(n, x);
    -B::vec_dot(t.as_data(), &B::vec_map(&p, Elementary::ln)).unwrap()
}

pub fn grad_hand<B: Backend>(n: &Net<B>, x: &R<U784, B>, t: &R<U10, B>) -> Net<B> {
    let (h1, h2, p) = forward_hand(n, x);
    let (zero, one) = (real::<B>(0.0), real::<B>(1.0));
    // Softmax with cross-entropy: dz3 = p·Σt − t.
    let st = B::vec_sum(t.as_data());
    let dz3 = B::vec_zip_map(&p, t.as_data(), |p, t| p * st - t).unwrap();
    let mut dh2 = B::vec_zeros(100);
    B::gemv(&mut dh2, one, n.w3.as_data(), Transpose::Yes, &dz3, zero).unwrap();
    let dz2 = B::vec_zip_map(&dh2, &h2, |d, h| d * h * (one - h)).unwrap();
    let mut dh1 = B::vec_zeros(300);
    B::gemv(&mut dh1, one, n.w2.as_data(), Transpose::Yes, &dz2, zero).unwrap();
    let dz1 = B::vec_zip_map(&dh1, &h1, |d, h| d * h * (one - h)).unwrap();
    Net {
        w1: L::try_from_data(B::outer(&dz1, x.as_data())).unwrap(),
        w2: L::try_from_data(B::outer(&dz2, &h1)).unwrap(),
        w3: L::try_from_data(B::outer(&dz3, &h2)).unwrap(),
        b1: R::try_from_data(dz1).unwrap(),
        b2: R::try_from_data(dz2).unwrap(),
        b3: R::try_from_data(dz3).unwrap(),
    }
}

/// `z = W·X + b·1ᵀ`.
pub fn affine_batch<B: Backend>(
    w: &<B as LinalgBackend<B::Real>>::Matrix,
    x: &<B as LinalgBackend<B::Real>>::Matrix,
    b: &<B as LinalgBackend<B::Real>>::Vector,
) -> <B as LinalgBackend<B::Real>>::Matrix {
    let one = real::<B>(1.0);
    let ones = B::vec_from_fn(128, |_| one);
    let mut z = B::outer(b, &ones);
    B::gemm(&mut z, one, w, Transpose::No, x, Transpose::No, one).unwrap();
    z
}

pub fn grad_batch_hand<B: Backend>(
    n: &Net<B>,
    x: &L<U784, Batch, B>,
    t: &L<U10, Batch, B>,
) -> Net<B> {
    let mut h1 = affine_batch::<B>(n.w1.as_data(), x.as_data(), n.b1.as_data());
    B::mat_map_mut(&mut h1, logistic);
    let mut h2 = affine_batch::<B>(n.w2.as_data(), &h1, n.b2.as_data());
    B::mat_map_mut(&mut h2, logistic);
    let mut p = affine_batch::<B>(n.w3.as_data(), &h2, n.b3.as_data());
    B::mat_map_mut(&mut p, Elementary::exp);
    let (zero, one) = (real::<B>(0.0), real::<B>(1.0));
    let ones10 = B::vec_from_fn(10, |_| one);
    let ones_b = B::vec_from_fn(128, |_| one);
    let mut sums = B::vec_zeros(128);
    B::gemv(&mut sums, one, &p, Transpose::Yes, &ones10, zero).unwrap();
    let spread = B::outer(&ones10, &sums);
    let p = B::mat_div(&p, &spread).unwrap();
    // dz3 = p ∘ (1·(1ᵀT)) − T, per column.
    let mut tsum = B::vec_zeros(128);
    B::gemv(&mut tsum, one, t.as_data(), Transpose::Yes, &ones10, zero).unwrap();
    let dz3 = B::mat_sub(
        &B::mat_mul(&p, &B::outer(&ones10, &tsum)).unwrap(),
        t.as_data(),
    )
    .unwrap();
    let dh2 = B::matmul(n.w3.as_data(), Transpose::Yes, &dz3, Transpose::No).unwrap();
    let dz2 = B::mat_zip_map(&dh2, &h2, |d, h| d * h * (one - h)).unwrap();
    let dh1 = B::matmul(n.w2.as_data(), Transpose::Yes, &dz2, Transpose::No).unwrap();
    let dz1 = B::mat_zip_map(&dh1, &h1, |d, h| d * h * (one - h)).unwrap();
    let row_sums = |m: &<B as LinalgBackend<B::Real>>::Matrix| {
        let mut s = B::vec_zeros(B::mat_shape(m).0);
        B::gemv(&mut s, one, m, Transpose::No, &ones_b, zero).unwrap();
        s
    };
    Net {
        w1: L::try_from_data(B::matmul(&dz1, Transpose::No, x.as_data(), Transpose::Yes).unwrap())
            .unwrap(),
        w2: L::try_from_data(B::matmul(&dz2, Transpose::No, &h1, Transpose::Yes).unwrap()).unwrap(),
        w3: L::try_from_data(B::matmul(&dz3, Transpose::No, &h2, Transpose::Yes).unwrap()).unwrap(),
        b1: R::try_from_data(row_sums(&dz1)).unwrap(),
        b2: R::try_from_data(row_sums(&dz2)).unwrap(),
        b3: R::try_from_data(row_sums(&dz3)).unwrap(),
    }
}
