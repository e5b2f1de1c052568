//! Trains a 64-32-10 network to read handwritten digits, then checks it on digits it never saw.
//!
//! ```sh
//! cargo run --release -p backprop-linalg --example digits                     # faer (default)
//! cargo run --release -p backprop-linalg --example digits -- --plot loss.svg  # + loss curve
//! cargo run --release -p backprop-linalg --example digits -- --f32            # single precision
//! cargo run --release -p backprop-linalg --example digits \
//!     --no-default-features --features nalgebra                               # another backend
//! ```
//!
//! The parameters are a plain struct with `#[derive(Backprop)]`; the loss (softmax
//! cross-entropy over a minibatch held as one `L<U64, Batch>` matrix) is written once over
//! `BVar`s and differentiated with `backprop`; Adam updates the parameters through their flat
//! coordinates (`#[derive(Coords)]`). The model and the training loop are generic over the backend
//! `B`, and so over its precision (`B::Real`); `run` picks `DefaultBackend` (which the Cargo
//! features choose), or `DefaultBackend<f32>` with `--f32`.
//!
//! The data are the 1,797 8×8 digits of the UCI "Optical Recognition of Handwritten Digits"
//! set (Alpaydin & Kaynak, 1998, CC BY 4.0), vendored as `examples/data/digits.csv.gz`; see
//! `examples/data/README.md`. A fixed shuffle holds out 20% of them as the test set. The run
//! fails (non-zero exit) if test accuracy is below 95%.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use backprop_linalg::StaticDim;
use backprop_linalg::typenum::{U1, U10, U32, U64};
use backprop_linalg::{
    BVar, Backend, Backprop, Coords, DefaultBackend, Join, L, R, RealScalar, affine_cols, app,
    backprop, eval_bp, sum_elements, tr,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Input size: 8×8 pixels.
type Pixels = U64;
/// Width of the hidden layer.
type Hidden = U32;
/// Output size: one score per digit.
type Digits = U10;
/// Samples per gradient step: the columns of one input matrix.
type Batch = U32;

/// Share of the data held out for testing, and the accuracy the test set must reach.
const TEST_SHARE: f64 = 0.2;
const REQUIRED_ACCURACY: f64 = 0.95;
/// Default number of passes over the training set.
const EPOCHS: usize = 30;

// ----- the model -----

/// The network's parameters: a tanh hidden layer `(w1, b1)` and a linear output layer
/// `(w2, b2)`, on backend `B`.
#[derive(Clone, Backprop, Coords)]
struct Net<B: Backend> {
    w1: L<Hidden, Pixels, B>,
    b1: R<Hidden, B>,
    w2: L<Digits, Hidden, B>,
    b2: R<Digits, B>,
}

/// `x` in `B`'s precision (`f64`, or `f32` with `--f32`).
fn real<B: Backend>(x: f64) -> B::Real {
    B::Real::from_f64_real(x)
}

/// The network's scores (logits), one column per column of `x`.
fn logits<'t, N, B>(
    net: BVar<'t, Net<B>>,
    x: BVar<'t, L<Pixels, N, B>>,
) -> BVar<'t, L<Digits, N, B>>
where
    N: StaticDim,
    B: Backend,
{
    let NetVars { w1, b1, w2, b2 } = net.split();
    // One affine layer per weight matrix, W·X + b·1ᵀ, over every column (sample) at once.
    affine_cols(w2, affine_cols(w1, x, b1).tanh(), b2)
}

/// Mean softmax cross-entropy of logits `z` against one-hot labels `y`, column by column: the
/// mean over samples j of `log Σₖ exp(zₖⱼ) − Σₖ yₖⱼ zₖⱼ`.
fn cross_entropy<'t, N, B>(z: BVar<'t, L<Digits, N, B>>, y: L<Digits, N, B>) -> BVar<'t, B::Real>
where
    N: StaticDim,
    B: Backend,
{
    let tape = z.tape();
    // Each column is shifted by its maximum before `exp`, so it cannot overflow; the shift is
    // a constant, added back after the log, so neither value nor gradient changes.
    let max: Vec<B::Real> = (0..N::SIZE)
        .map(|j| {
            (0..Digits::SIZE)
                .map(|k| z.value().get(k, j))
                .fold(real::<B>(f64::MIN), |m, v| if v > m { v } else { m })
        })
        .collect();
    let shifted = z - L::from_fn(|_, j| max[j]);
    let column_sums = app(tr(shifted.exp()), tape.constant(R::konst(real::<B>(1.0))));
    let log_sum_exp = sum_elements(column_sums.ln()) + max.iter().copied().sum::<B::Real>();
    let label_scores = sum_elements(z * tape.constant(y));
    (log_sum_exp - label_scores) / real::<B>(N::SIZE as f64)
}

/// The training loss: cross-entropy of the network on the columns of `x` (labels `y`).
fn loss<'t, N, B>(
    net: BVar<'t, Net<B>>,
    x: L<Pixels, N, B>,
    y: L<Digits, N, B>,
) -> BVar<'t, B::Real>
where
    N: StaticDim,
    B: Backend,
{
    let x = net.tape().constant(x);
    cross_entropy(logits(net, x), y)
}

// ----- data -----

#[path = "common/digits_data.rs"]
mod digits_data;
use digits_data::{Sample, load_digits};

/// The samples `idx` as the columns of an input matrix and of a one-hot label matrix.
fn batch<N, B>(data: &[Sample], idx: &[usize]) -> (L<Pixels, N, B>, L<Digits, N, B>)
where
    N: StaticDim,
    B: Backend,
{
    assert_eq!(
        idx.len(),
        N::SIZE,
        "a batch of {} needs as many samples",
        N::SIZE
    );
    let x = L::from_fn(|i, j| real::<B>(data[idx[j]].pixels[i]));
    let y = L::from_fn(|k, j| real::<B>(f64::from(u8::from(data[idx[j]].label == k))));
    (x, y)
}

/// SplitMix64: a small, seedable generator, so every run shuffles and initialises alike.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn symmetric(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, (self.next_u64() % (i as u64 + 1)) as usize);
        }
    }
}

// ----- training -----

/// Weights uniform in ±√(6/(fan_in + fan_out)) (Glorot), biases zero.
fn init<B: Backend>(rng: &mut Rng) -> Net<B> {
    fn glorot<O: StaticDim, I: StaticDim, B: Backend>(rng: &mut Rng) -> L<O, I, B> {
        let scale = (6.0 / (I::SIZE + O::SIZE) as f64).sqrt();
        L::from_fn(|_, _| real::<B>(scale * rng.symmetric()))
    }
    Net {
        w1: glorot(rng),
        b1: R::zeros(),
        w2: glorot(rng),
        b2: R::zeros(),
    }
}

/// Adam (Kingma & Ba, 2015) on the parameters' flat coordinates.
struct Adam {
    rate: f64,
    step: i32,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    const BETA1: f64 = 0.9;
    const BETA2: f64 = 0.999;
    const EPSILON: f64 = 1e-8;

    fn new(rate: f64) -> Self {
        Adam {
            rate,
            step: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// The parameters after one step along `grad`.
    fn update<P: Coords>(&mut self, params: &P, grad: &P) -> P {
        let (mut p, g) = (params.to_coords(), grad.to_coords());
        self.m.resize(p.len(), 0.0);
        self.v.resize(p.len(), 0.0);
        self.step += 1;
        let c1 = 1.0 - Self::BETA1.powi(self.step);
        let c2 = 1.0 - Self::BETA2.powi(self.step);
        for (((p, g), m), v) in p.iter_mut().zip(&g).zip(&mut self.m).zip(&mut self.v) {
            *m = Self::BETA1 * *m + (1.0 - Self::BETA1) * g;
            *v = Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g;
            *p -= self.rate * (*m / c1) / ((*v / c2).sqrt() + Self::EPSILON);
        }
        params.with_coords(&p)
    }
}

/// Mean loss and accuracy on `samples`, one sample at a time: the functions used in training,
/// at batch size `N = 1`, run without a backward pass (`eval_bp`).
fn evaluate<B: Backend>(net: &Net<B>, data: &[Sample], samples: &[usize]) -> (f64, f64) {
    let (mut total, mut correct) = (0.0, 0usize);
    for &i in samples {
        let (x, y) = batch::<U1, B>(data, &[i]);
        let (l, z) = eval_bp(
            |net| {
                let z = logits(net, net.tape().constant(x));
                (cross_entropy(z, y), z).join()
            },
            net,
        );
        total += l.to_f64_real();
        let scores: Vec<f64> = z.to_row_major().iter().map(|s| s.to_f64_real()).collect();
        let guess = (0..Digits::SIZE).max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        correct += usize::from(guess == Some(data[i].label));
    }
    (
        total / samples.len() as f64,
        correct as f64 / samples.len() as f64,
    )
}

/// What `train` reports: one loss per epoch on each split, and the final test accuracy.
struct History {
    train_loss: Vec<f64>,
    test_loss: Vec<f64>,
    test_accuracy: f64,
}

/// Trains a freshly initialised network for `epochs` passes of minibatch Adam.
fn train<B: Backend>(data: &[Sample], epochs: usize) -> Result<History, Box<dyn Error>> {
    let mut rng = Rng(2024);
    let mut order: Vec<usize> = (0..data.len()).collect();
    rng.shuffle(&mut order);
    let n_test = (data.len() as f64 * TEST_SHARE).round() as usize;
    let (test, train) = order.split_at(n_test);
    let mut train = train.to_vec();
    let steps_per_epoch = train.len() / Batch::SIZE;
    println!(
        "{} training / {} test images; 64-{}-10 tanh network, minibatches of {}, backend {}, {}",
        train.len(),
        test.len(),
        Hidden::SIZE,
        Batch::SIZE,
        std::any::type_name::<B>(),
        std::any::type_name::<B::Real>()
    );

    let mut net = init::<B>(&mut rng);
    let mut adam = Adam::new(0.005);
    let mut history = History {
        train_loss: Vec::new(),
        test_loss: Vec::new(),
        test_accuracy: 0.0,
    };

    let bar = ProgressBar::new((epochs * steps_per_epoch) as u64);
    bar.set_style(ProgressStyle::with_template(
        "[{elapsed_precise}] {bar:40} {pos}/{len} {msg}",
    )?);
    for epoch in 1..=epochs {
        rng.shuffle(&mut train);
        let mut epoch_loss = 0.0;
        for idx in train.chunks_exact(Batch::SIZE) {
            let (x, y) = batch::<Batch, B>(data, idx);
            let (l, grad) = backprop(|net| loss(net, x, y), &net);
            net = adam.update(&net, &grad);
            let l = l.to_f64_real();
            epoch_loss += l;
            bar.set_message(format!("epoch {epoch}/{epochs}  loss {l:.4}"));
            bar.inc(1);
        }
        let (test_loss, accuracy) = evaluate(&net, data, test);
        history.train_loss.push(epoch_loss / steps_per_epoch as f64);
        history.test_loss.push(test_loss);
        history.test_accuracy = accuracy;
        if epoch % 5 == 0 || epoch == epochs {
            bar.suspend(|| {
                println!(
                    "epoch {epoch:3}: train loss {:.4}, test loss {test_loss:.4}, test accuracy {:.1}%",
                    epoch_loss / steps_per_epoch as f64,
                    100.0 * accuracy
                )
            });
        }
    }
    bar.finish_and_clear();
    Ok(history)
}

// ----- the loss curve -----

/// Draws the per-epoch train and test loss as an SVG.
fn plot_losses(path: &Path, history: &History) -> Result<(), Box<dyn Error>> {
    use plotters::prelude::*;

    let epochs = history.train_loss.len();
    let top = history
        .train_loss
        .iter()
        .chain(&history.test_loss)
        .fold(0.0, |a: f64, &b| a.max(b));
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "digits: softmax cross-entropy per epoch",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(1.0..epochs.max(2) as f64, 0.0..1.05 * top)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("loss")
        .draw()?;
    let curves = [
        ("train", &history.train_loss, BLUE),
        ("test", &history.test_loss, RED),
    ];
    for (name, losses, color) in curves {
        let points = losses.iter().enumerate().map(|(i, &l)| (i as f64 + 1.0, l));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    root.present()?;
    Ok(())
}

// ----- command line -----

/// Command-line options: `--plot FILE.svg`, `--epochs N`, `--f32`.
struct Options {
    plot: Option<PathBuf>,
    epochs: usize,
    /// Train in single precision (`DefaultBackend<f32>`).
    single: bool,
}

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut options = Options {
        plot: None,
        epochs: EPOCHS,
        single: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--plot" => {
                let path = PathBuf::from(args.next().ok_or("--plot needs a file name")?);
                if !path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
                {
                    return Err(format!(
                        "--plot {}: only .svg files can be written (plotters is built with its \
                         SVG backend only)",
                        path.display()
                    )
                    .into());
                }
                options.plot = Some(path);
            }
            "--epochs" => {
                let n = args.next().ok_or("--epochs needs a number")?;
                options.epochs = n.parse().map_err(|e| format!("--epochs {n}: {e}"))?;
                if options.epochs == 0 {
                    return Err("--epochs must be at least 1".into());
                }
            }
            "--f32" => options.single = true,
            "-h" | "--help" => {
                println!("usage: digits [--epochs N] [--plot loss.svg] [--f32]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)").into()),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let options = parse_args()?;
    let start = Instant::now();
    let data = load_digits()?;
    let history = if options.single {
        train::<DefaultBackend<f32>>(&data, options.epochs)?
    } else {
        train::<DefaultBackend>(&data, options.epochs)?
    };
    println!(
        "test accuracy {:.1}% after {} epochs, {:.2} s",
        100.0 * history.test_accuracy,
        options.epochs,
        start.elapsed().as_secs_f64()
    );
    if let Some(path) = &options.plot {
        plot_losses(path, &history)?;
        println!("loss curve written to {}", path.display());
    }
    if history.test_accuracy < REQUIRED_ACCURACY {
        return Err(format!(
            "test accuracy {:.1}% is below the required {:.0}%",
            100.0 * history.test_accuracy,
            100.0 * REQUIRED_ACCURACY
        )
        .into());
    }
    Ok(())
}
