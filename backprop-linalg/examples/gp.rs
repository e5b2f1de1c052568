//! Gaussian-process regression of the Mauna Loa CO₂ record: fits the eleven hyper-parameters of
//! Rasmussen & Williams' kernel by maximising the exact log marginal likelihood, its gradient
//! taken through the Cholesky factorisation by the tape, then extrapolates twenty years.
//!
//! ```sh
//! cargo run --release -p backprop-linalg --example gp                      # monthly means
//! cargo run --release -p backprop-linalg --example gp -- --plot co2.svg    # + forecast plot
//! cargo run --release -p backprop-linalg --example gp -- --every 3         # every 3rd month
//! cargo run --release -p backprop-linalg --example gp -- --weekly --subset 800
//! cargo test -p backprop-linalg --all-features --example gp                # the checks below
//! ```
//!
//! The model is that of Rasmussen & Williams, *Gaussian Processes for Machine Learning* (MIT
//! Press, 2006), section 5.4.3: with `t` in years and `r = t − t'`, the covariance is the sum
//!
//! ```text
//! k₁ = θ₁² exp(−r²/(2θ₂²))                               long-term trend
//! k₂ = θ₃² exp(−r²/(2θ₄²) − 2 sin²(πr)/θ₅²)              seasonal cycle, slowly changing
//! k₃ = θ₆² (1 + r²/(2θ₈θ₇²))^(−θ₈)                        medium-term irregularities
//! k₄ = θ₉² exp(−r²/(2θ₁₀²)) + θ₁₁² δ                      correlated and white noise
//! ```
//!
//! of a zero-mean process on the CO₂ record minus its mean. The fit maximises
//!
//! ```text
//! log p(y | θ) = −½ yᵀK⁻¹y − Σᵢ log Rᵢᵢ − (n/2) log 2π,     K = RᵀR,
//! ```
//!
//! written once over `BVar`s (`chol`, `chol_solve`, `take_diag`, element-wise `exp` and `ln`,
//! `scale`, `sum_elements`) and differentiated by `backprop_data`, with Adam on `log θ`. The
//! number of observations `n` is read from the data: every vector and matrix is run-time sized
//! (`Vector`, `Matrix`), none of them names a size in its type. The forecast is the posterior
//! mean `K*ᵀK⁻¹y` and variance `k** − K*ᵀK⁻¹K*` of the underlying function, computed with the
//! same ops on constants (`eval_bp_data`). Everything is generic over the backend `B`; `run`
//! picks `DefaultBackend`, which the Cargo features choose.
//!
//! The data are the weekly means of continuous air samples at Mauna Loa Observatory, Hawaii,
//! March 1958 – December 2001, by C. D. Keeling and T. P. Whorf (Scripps Institution of
//! Oceanography, via CDIAC), public domain, vendored from statsmodels as
//! `examples/data/co2-mauna-loa-weekly.csv`; see `examples/data/README.md`. By default the
//! weeks of each calendar month are averaged (weeks without a measurement are skipped, never
//! read as zero), as Rasmussen & Williams use monthly means; `--weekly` keeps every measured
//! week (2,225 of them: some 80 times the work per step, as factorising costs n³/3, so expect
//! minutes, or take a `--subset`).

use std::error::Error;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use backprop_linalg::{
    BVar, Backend, Backprop, Coords, DefaultBackend, Dyn, Join, Matrix, Sq, Triangle, Vector, app,
    backprop_data, chol, chol_solve, col, dot, eval_bp_data, scale, sum_elements, sym, take_diag,
    tr, triangular_solve, uncol,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Rasmussen & Williams' fitted hyper-parameters (section 5.4.3, ppm and years), for comparison.
const RW_THETA: [f64; 11] = [66.0, 67.0, 2.4, 90.0, 1.3, 0.66, 1.2, 0.78, 0.18, 1.6, 0.19];
/// Where the fit starts: rounder values of the same magnitudes, off by up to 50%.
const START_THETA: [f64; 11] = [50.0, 50.0, 2.0, 100.0, 1.0, 1.0, 1.0, 1.0, 0.2, 1.0, 0.2];
/// What each θᵢ is, in the order of the arrays above and of `LogTheta`'s coordinates.
const THETA_NAMES: [&str; 11] = [
    "θ1  trend amplitude (ppm)",
    "θ2  trend length scale (yr)",
    "θ3  seasonal amplitude (ppm)",
    "θ4  seasonal decay time (yr)",
    "θ5  seasonal smoothness",
    "θ6  medium-term amplitude (ppm)",
    "θ7  medium-term length scale (yr)",
    "θ8  medium-term shape α",
    "θ9  noise amplitude (ppm)",
    "θ10 noise length scale (yr)",
    "θ11 white noise (ppm)",
];

/// Default number of Adam steps (one likelihood evaluation, with its gradient, each).
const STEPS: usize = 150;
/// Adam's learning rate (a step in `log θ`) at the first and at the last step.
const RATE_FIRST: f64 = 0.1;
const RATE_LAST: f64 = 0.01;
/// How far past the last observation the forecast goes, in years.
const FORECAST_YEARS: f64 = 20.0;

// ----- the model -----

/// The logarithms of the hyper-parameters θ₁..θ₁₁: the coordinates the fit moves in, where
/// every value is a valid (positive) θ and a step means the same relative change for a length
/// in years as for an amplitude in ppm.
#[derive(Clone, Debug, Backprop, Coords)]
struct LogTheta {
    /// θ₁, θ₂: amplitude (ppm) and length scale (years) of the long-term trend.
    trend_amplitude: f64,
    trend_length: f64,
    /// θ₃, θ₄, θ₅: amplitude (ppm), decay time (years) and smoothness of the seasonal cycle.
    seasonal_amplitude: f64,
    seasonal_decay: f64,
    seasonal_smoothness: f64,
    /// θ₆, θ₇, θ₈: amplitude (ppm), length scale (years) and shape of the medium-term
    /// irregularities.
    medium_amplitude: f64,
    medium_length: f64,
    medium_shape: f64,
    /// θ₉, θ₁₀: amplitude (ppm) and length scale (years) of the correlated noise; θ₁₁: the
    /// standard deviation of the white noise (ppm).
    noise_amplitude: f64,
    noise_length: f64,
    white_noise: f64,
}

impl LogTheta {
    fn from_theta(theta: [f64; 11]) -> Self {
        let [a, b, c, d, e, f, g, h, i, j, k] = theta.map(f64::ln);
        LogTheta {
            trend_amplitude: a,
            trend_length: b,
            seasonal_amplitude: c,
            seasonal_decay: d,
            seasonal_smoothness: e,
            medium_amplitude: f,
            medium_length: g,
            medium_shape: h,
            noise_amplitude: i,
            noise_length: j,
            white_noise: k,
        }
    }

    /// θ₁..θ₁₁ themselves.
    fn theta(&self) -> Vec<f64> {
        self.to_coords().into_iter().map(f64::exp).collect()
    }
}

/// What the likelihood needs of the observations, on backend `B`: the pairwise distances the
/// kernel reads, and the centred CO₂. All `n × n` or of length `n`, `n` read from the data.
#[derive(Clone, Backprop)]
struct Training<B: Backend<Real = f64>> {
    /// `r² = (tᵢ − tⱼ)²`, in years².
    r2: Matrix<B>,
    /// `sin²(π(tᵢ − tⱼ))`: zero for observations whole years apart.
    sin2: Matrix<B>,
    /// The identity, for the white noise `θ₁₁² δ`.
    eye: Matrix<B>,
    /// CO₂ (ppm) minus its mean.
    y: Vector<B>,
}

impl<B: Backend<Real = f64>> Training<B> {
    fn new(obs: &[Observation]) -> Self {
        let times: Vec<f64> = obs.iter().map(|o| o.t).collect();
        let (r2, sin2) = distances(&times, &times);
        let mean = mean_co2(obs);
        Training {
            r2,
            sin2,
            eye: Matrix::eye_n(obs.len()),
            y: Vector::from_fn_len(obs.len(), |i| obs[i].co2 - mean),
        }
    }
}

/// `r²` and `sin²(πr)` for every pair `r = aᵢ − bⱼ`: an `a.len() × b.len()` matrix each.
fn distances<B: Backend<Real = f64>>(a: &[f64], b: &[f64]) -> (Matrix<B>, Matrix<B>) {
    let r2 = Matrix::from_fn_shape(a.len(), b.len(), |i, j| (a[i] - b[j]).powi(2));
    let sin2 = Matrix::from_fn_shape(a.len(), b.len(), |i, j| (PI * (a[i] - b[j])).sin().powi(2));
    (r2, sin2)
}

/// `θ²` from `log θ`.
fn squared(log_theta: BVar<'_, f64>) -> BVar<'_, f64> {
    (2.0 * log_theta).exp()
}

/// `1/θ²` from `log θ`.
fn inverse_squared(log_theta: BVar<'_, f64>) -> BVar<'_, f64> {
    (-2.0 * log_theta).exp()
}

/// The covariance `k₁ + k₂ + k₃ + θ₉² exp(−r²/(2θ₁₀²))` between every pair of times whose
/// `r²` and `sin²(πr)` are given: every term of the kernel but the white noise, which belongs
/// to the observations only. Entry-wise maps of the distance matrices, each scaled by a
/// hyper-parameter with `scale`.
fn covariance<'t, B: Backend<Real = f64>>(
    h: &LogThetaVars<'t>,
    r2: BVar<'t, Matrix<B>>,
    sin2: BVar<'t, Matrix<B>>,
) -> BVar<'t, Matrix<B>> {
    // exp(−r²/(2ℓ²)), the squared exponential of length scale ℓ.
    let squared_exponential = |log_length| scale(-0.5 * inverse_squared(log_length), r2).exp();

    let trend = scale(
        squared(h.trend_amplitude),
        squared_exponential(h.trend_length),
    );
    let seasonal = scale(
        squared(h.seasonal_amplitude),
        (scale(-0.5 * inverse_squared(h.seasonal_decay), r2)
            + scale(-2.0 * inverse_squared(h.seasonal_smoothness), sin2))
        .exp(),
    );
    // (1 + r²/(2αℓ²))^(−α) = exp(−α · ln(1 + r²/(2αℓ²))).
    let alpha = h.medium_shape.exp();
    let (rows, cols) = r2.value().shape();
    let base = scale(0.5 * inverse_squared(h.medium_length) / alpha, r2)
        + Matrix::konst_shape(rows, cols, 1.0);
    let medium = scale(squared(h.medium_amplitude), scale(-alpha, base.ln()).exp());
    let noise = scale(
        squared(h.noise_amplitude),
        squared_exponential(h.noise_length),
    );
    trend + seasonal + medium + noise
}

/// The upper Cholesky factor `R` of the covariance of the observations, `K = RᵀR`: the kernel
/// between every pair of observation times, plus the white noise `θ₁₁²` on the diagonal.
fn cholesky_factor<'t, B: Backend<Real = f64>>(
    h: &LogThetaVars<'t>,
    train: &TrainingVars<'t, B>,
) -> BVar<'t, Sq<Dyn, B>> {
    let k = covariance(h, train.r2, train.sin2) + scale(squared(h.white_noise), train.eye);
    chol(sym(k))
}

/// The exact log marginal likelihood `log p(y | θ) = −½ yᵀK⁻¹y − Σᵢ log Rᵢᵢ − (n/2) log 2π`
/// of the centred observations (R&W eq. 5.8, with `½ log|K| = Σᵢ log Rᵢᵢ`).
fn log_marginal_likelihood<'t, B: Backend<Real = f64>>(
    log_theta: BVar<'t, LogTheta>,
    train: BVar<'t, Training<B>>,
) -> BVar<'t, f64> {
    let (h, train) = (log_theta.split(), train.split());
    let r = cholesky_factor(&h, &train);
    let k_inv_y = uncol(chol_solve(r, col(train.y)));
    let half_log_det = sum_elements(take_diag(r).ln());
    let n = train.y.value().len() as f64;
    -0.5 * dot(train.y, k_inv_y) - half_log_det - 0.5 * n * (2.0 * PI).ln()
}

// ----- fitting -----

/// Adam (Kingma & Ba, 2015) on the flat coordinates of the parameters, climbing the objective.
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

    /// The parameters after one step up `grad`.
    fn ascend<P: Coords>(&mut self, params: &P, grad: &P) -> P {
        let (mut p, g) = (params.to_coords(), grad.to_coords());
        self.m.resize(p.len(), 0.0);
        self.v.resize(p.len(), 0.0);
        self.step += 1;
        let c1 = 1.0 - Self::BETA1.powi(self.step);
        let c2 = 1.0 - Self::BETA2.powi(self.step);
        for (((p, g), m), v) in p.iter_mut().zip(&g).zip(&mut self.m).zip(&mut self.v) {
            *m = Self::BETA1 * *m + (1.0 - Self::BETA1) * g;
            *v = Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g;
            *p += self.rate * (*m / c1) / ((*v / c2).sqrt() + Self::EPSILON);
        }
        params.with_coords(&p)
    }
}

/// What `fit` reports.
struct Fit {
    /// The best hyper-parameters visited, and their log marginal likelihood.
    log_theta: LogTheta,
    log_likelihood: f64,
    /// The log marginal likelihood at the start and after each step.
    history: Vec<f64>,
}

/// Maximises the log marginal likelihood over `log θ` from `start`: `steps` steps of Adam,
/// each with one evaluation of the likelihood and its gradient. The learning rate decays from
/// `RATE_FIRST` to `RATE_LAST` along a half cosine, so the last steps settle instead of
/// circling the maximum.
fn fit<B: Backend<Real = f64>>(
    train: &Training<B>,
    start: &LogTheta,
    steps: usize,
    bar: &ProgressBar,
) -> Fit {
    let mut log_theta = start.clone();
    let mut adam = Adam::new(RATE_FIRST);
    let mut history = Vec::with_capacity(steps + 1);
    let mut best = (f64::NEG_INFINITY, start.clone());
    for step in 0..=steps {
        let (ll, grad) = backprop_data(log_marginal_likelihood, &log_theta, train);
        history.push(ll);
        if ll > best.0 {
            best = (ll, log_theta.clone());
        }
        bar.set_message(format!("log p(y|θ) {ll:.2}  (best {:.2})", best.0));
        if step == steps {
            break;
        }
        let progress = step as f64 / steps as f64;
        adam.rate = RATE_LAST + (RATE_FIRST - RATE_LAST) * (1.0 + (PI * progress).cos()) / 2.0;
        log_theta = adam.ascend(&log_theta, &grad);
        bar.inc(1);
    }
    Fit {
        log_theta: best.1,
        log_likelihood: best.0,
        history,
    }
}

// ----- the forecast -----

/// The posterior of the underlying CO₂ curve (without the white noise) at the times `at`:
/// mean (ppm) and standard deviation.
struct Forecast {
    at: Vec<f64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
}

/// The posterior mean `K*ᵀK⁻¹y` (plus the data mean) and variance `k** − K*ᵀK⁻¹K*` at the
/// times `at`, given the observations `obs`: the same kernel and factorisation as the fit, run
/// on constants (`eval_bp_data` records no backward pass).
fn forecast<B: Backend<Real = f64>>(
    log_theta: &LogTheta,
    obs: &[Observation],
    train: &Training<B>,
    at: &[f64],
) -> Forecast {
    let times: Vec<f64> = obs.iter().map(|o| o.t).collect();
    let (r2_star, sin2_star) = distances::<B>(&times, at);
    // The prior variance k** = k(t, t), the same at every t: the kernel at distance zero.
    let (r2_zero, sin2_zero) = distances::<B>(&[0.0], &[0.0]);
    let (mean, explained, prior) = eval_bp_data(
        |log_theta, train| {
            let tape = log_theta.tape();
            let (h, train) = (log_theta.split(), train.split());
            let r = cholesky_factor(&h, &train);
            // n × m: the covariance between the observations and the forecast times.
            let k_star = covariance(&h, tape.constant(r2_star), tape.constant(sin2_star));
            let mean = app(tr(k_star), uncol(chol_solve(r, col(train.y))));
            // V = R⁻ᵀK*, so VᵀV = K*ᵀK⁻¹K*; its diagonal is the column sums of V∘V.
            let v = triangular_solve(tr(r), k_star, Triangle::Lower);
            let ones: Vector<B> = Vector::konst_len(obs.len(), 1.0);
            let explained = app(tr(v * v), tape.constant(ones));
            let zero = (tape.constant(r2_zero), tape.constant(sin2_zero));
            let prior = sum_elements(covariance(&h, zero.0, zero.1));
            (mean, explained, prior).join()
        },
        log_theta,
        train,
    );
    let offset = mean_co2(obs);
    Forecast {
        at: at.to_vec(),
        mean: mean.to_vec().into_iter().map(|m| m + offset).collect(),
        sd: explained
            .to_vec()
            .into_iter()
            .map(|e| (prior - e).max(0.0).sqrt())
            .collect(),
    }
}

// ----- data -----

/// One week of the record: its date and, if it was measured, its CO₂ (ppm).
struct Week {
    year: i32,
    month: u32,
    day: u32,
    co2: Option<f64>,
}

/// One observation: time in years (1958.21 is mid-March 1958) and CO₂ (ppm).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Observation {
    t: f64,
    co2: f64,
}

/// Reads the record: CSV with the header `date,co2`, `date` as `YYYYMMDD`, `co2` empty for a
/// week without a measurement; dates must increase.
fn parse_weeks(text: &str) -> Result<Vec<Week>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "date,co2" => {}
        other => return Err(format!("expected the header `date,co2`, found {other:?}")),
    }
    let mut weeks: Vec<Week> = Vec::new();
    for (i, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        let week = parse_week(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let date = |w: &Week| (w.year, w.month, w.day);
        if weeks.last().is_some_and(|last| date(last) >= date(&week)) {
            return Err(format!("line {}: dates must increase", i + 1));
        }
        weeks.push(week);
    }
    Ok(weeks)
}

fn parse_week(line: &str) -> Result<Week, String> {
    let (date, co2) = line
        .split_once(',')
        .ok_or_else(|| format!("expected `date,co2`, found {line:?}"))?;
    let date = date.trim();
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("date {date:?} is not YYYYMMDD"));
    }
    // Eight ASCII digits: each field parses.
    let field = |range: std::ops::Range<usize>| date[range].parse::<u32>().expect("digits");
    let (year, month, day) = (field(0..4) as i32, field(4..6), field(6..8));
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return Err(format!("date {date:?} does not exist"));
    }
    let co2 = match co2.trim() {
        "" => None,
        s => {
            let c = s.parse::<f64>().map_err(|e| format!("co2 {s:?}: {e}"))?;
            if !(c.is_finite() && c > 0.0) {
                return Err(format!("co2 {s:?} is not a positive concentration"));
            }
            Some(c)
        }
    };
    Ok(Week {
        year,
        month,
        day,
        co2,
    })
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The measured weeks, each at its date (the middle of that day, in years).
fn weekly(weeks: &[Week]) -> Vec<Observation> {
    weeks
        .iter()
        .filter_map(|w| {
            let day_of_year: u32 =
                (1..w.month).map(|m| days_in_month(w.year, m)).sum::<u32>() + w.day;
            let days = if is_leap(w.year) { 366.0 } else { 365.0 };
            let t = f64::from(w.year) + (f64::from(day_of_year) - 0.5) / days;
            w.co2.map(|co2| Observation { t, co2 })
        })
        .collect()
}

/// Monthly means, at the middle of each month: the measured weeks of each calendar month
/// averaged. A month without a measured week has no observation (nothing is filled in).
fn monthly_means(weeks: &[Week]) -> Vec<Observation> {
    let mut months: Vec<((i32, u32), f64, u32)> = Vec::new();
    for w in weeks {
        let Some(co2) = w.co2 else { continue };
        match months.last_mut() {
            Some((key, sum, count)) if *key == (w.year, w.month) => {
                *sum += co2;
                *count += 1;
            }
            _ => months.push(((w.year, w.month), co2, 1)),
        }
    }
    months
        .into_iter()
        .map(|((year, month), sum, count)| Observation {
            t: f64::from(year) + (f64::from(month) - 0.5) / 12.0,
            co2: sum / f64::from(count),
        })
        .collect()
}

fn mean_co2(obs: &[Observation]) -> f64 {
    obs.iter().map(|o| o.co2).sum::<f64>() / obs.len() as f64
}

/// Which observations to fit.
#[derive(Clone, Copy)]
enum Subset {
    All,
    /// Every k-th, from the first.
    Every(usize),
    /// This many, evenly spread from the first to the last.
    Count(usize),
}

fn take_subset(obs: Vec<Observation>, subset: Subset) -> Vec<Observation> {
    match subset {
        Subset::All => obs,
        Subset::Every(k) => obs.into_iter().step_by(k).collect(),
        Subset::Count(n) if n >= obs.len() => obs,
        Subset::Count(1) => obs[..1].to_vec(),
        Subset::Count(n) => (0..n)
            .map(|i| obs[(i * (obs.len() - 1) + (n - 1) / 2) / (n - 1)])
            .collect(),
    }
}

// ----- the plot -----

/// Draws the observations, the posterior mean and its ±2σ band as an SVG, with a line where
/// the record ends and the forecast begins.
fn plot_forecast(path: &Path, obs: &[Observation], f: &Forecast) -> Result<(), Box<dyn Error>> {
    use plotters::prelude::*;

    let blue = RGBColor(50, 110, 210);
    let band_style = blue.mix(0.25).filled();
    let lower = f.mean.iter().zip(&f.sd).map(|(m, s)| m - 2.0 * s);
    let upper = f.mean.iter().zip(&f.sd).map(|(m, s)| m + 2.0 * s);
    let (bottom, top) = obs
        .iter()
        .map(|o| o.co2)
        .chain(lower.clone())
        .chain(upper.clone())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
            (lo.min(c), hi.max(c))
        });
    let (first, last) = (f.at[0], f.at[f.at.len() - 1]);
    let end_of_record = obs[obs.len() - 1].t;

    let root = SVGBackend::new(path, (1000, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "CO₂ at Mauna Loa: Gaussian-process fit and forecast (Rasmussen & Williams §5.4.3)",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(first..last, (bottom - 2.0)..(top + 2.0))?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("year")
        .y_desc("CO₂ (ppm)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;

    // The band: along the upper edge, back along the lower one.
    let band: Vec<(f64, f64)> = (f.at.iter().copied().zip(upper))
        .chain(f.at.iter().copied().zip(lower).rev())
        .collect();
    chart
        .draw_series([Polygon::new(band, band_style)])?
        .label("±2σ")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], band_style));
    let mean = f.at.iter().copied().zip(f.mean.iter().copied());
    chart
        .draw_series(LineSeries::new(mean, blue.stroke_width(1)))?
        .label("posterior mean")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], blue.stroke_width(2)));
    chart
        .draw_series(
            obs.iter()
                .map(|o| Circle::new((o.t, o.co2), 1, BLACK.filled())),
        )?
        .label("observed")
        .legend(|(x, y)| Circle::new((x + 10, y), 2, BLACK.filled()));
    let end_style = RGBColor(200, 60, 60).stroke_width(1);
    chart
        .draw_series([PathElement::new(
            [(end_of_record, bottom - 2.0), (end_of_record, top + 2.0)],
            end_style,
        )])?
        .label("end of the record")
        .legend(move |(x, y)| PathElement::new([(x + 10, y - 6), (x + 10, y + 6)], end_style));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    root.present()?;
    Ok(())
}

// ----- command line -----

/// Command-line options: `--weekly`, `--every K`, `--subset N`, `--steps N`, `--plot FILE.svg`.
struct Options {
    weekly: bool,
    subset: Subset,
    steps: usize,
    plot: Option<PathBuf>,
}

const USAGE: &str = "usage: gp [--weekly] [--every K | --subset N] [--steps N] [--plot co2.svg]

  --weekly      fit every measured week (default: monthly means)
  --every K     keep every K-th observation
  --subset N    keep N observations, evenly spread over the record
  --steps N     Adam steps (default 150)
  --plot FILE   write the data and the forecast to FILE (.svg)";

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut options = Options {
        weekly: false,
        subset: Subset::All,
        steps: STEPS,
        plot: None,
    };
    let mut args = std::env::args().skip(1);
    let number = |flag: &str, args: &mut dyn Iterator<Item = String>| {
        let n = args.next().ok_or(format!("{flag} needs a number"))?;
        match n.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            Ok(_) => Err(format!("{flag} must be at least 1")),
            Err(e) => Err(format!("{flag} {n}: {e}")),
        }
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--weekly" => options.weekly = true,
            "--every" => options.subset = Subset::Every(number("--every", &mut args)?),
            "--subset" => options.subset = Subset::Count(number("--subset", &mut args)?),
            "--steps" => options.steps = number("--steps", &mut args)?,
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
            "-h" | "--help" => {
                println!("{USAGE}");
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
    let weeks = parse_weeks(include_str!("data/co2-mauna-loa-weekly.csv"))
        .map_err(|e| format!("co2-mauna-loa-weekly.csv, {e}"))?;
    let all = if options.weekly {
        weekly(&weeks)
    } else {
        monthly_means(&weeks)
    };
    let obs = take_subset(all, options.subset);
    if obs.len() < 2 {
        return Err("a fit needs at least two observations".into());
    }
    fit_and_forecast::<DefaultBackend>(&obs, &options)?;
    println!("total {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Fits the hyper-parameters to `obs` from `START_THETA` and prints them, then forecasts (and
/// plots) with them. Fails if the fit did not improve the log marginal likelihood.
fn fit_and_forecast<B: Backend<Real = f64>>(
    obs: &[Observation],
    options: &Options,
) -> Result<(), Box<dyn Error>> {
    let kind = if options.weekly {
        "weeks"
    } else {
        "monthly means"
    };
    println!(
        "{} {kind} from {:.2} to {:.2} (mean {:.2} ppm); backend {}",
        obs.len(),
        obs[0].t,
        obs[obs.len() - 1].t,
        mean_co2(obs),
        std::any::type_name::<B>()
    );
    let train = Training::<B>::new(obs);

    let clock = Instant::now();
    let bar = ProgressBar::new(options.steps as u64);
    bar.set_style(ProgressStyle::with_template(
        "[{elapsed_precise}] {bar:40} {pos}/{len} {msg}",
    )?);
    let fit = fit(
        &train,
        &LogTheta::from_theta(START_THETA),
        options.steps,
        &bar,
    );
    bar.finish_and_clear();
    println!(
        "{} Adam steps, {} likelihood evaluations with gradient, {:.2} s",
        fit.history.len() - 1,
        fit.history.len(),
        clock.elapsed().as_secs_f64()
    );

    println!(
        "\n{:34} {:>9} {:>9} {:>9}",
        "hyper-parameter", "start", "fitted", "R&W"
    );
    let fitted = fit.log_theta.theta();
    for i in 0..11 {
        println!(
            "{:34} {:>9.3} {:>9.3} {:>9.3}",
            THETA_NAMES[i], START_THETA[i], fitted[i], RW_THETA[i]
        );
    }
    let rw = eval_bp_data(
        log_marginal_likelihood,
        &LogTheta::from_theta(RW_THETA),
        &train,
    );
    println!(
        "\nlog marginal likelihood: start {:.2}, fitted {:.2} (R&W's θ on these data: {rw:.2})",
        fit.history[0], fit.log_likelihood
    );

    // Monthly, from the first observation to FORECAST_YEARS past the last.
    let (first, last) = (obs[0].t, obs[obs.len() - 1].t + FORECAST_YEARS);
    let at: Vec<f64> = (0..)
        .map(|i| first + f64::from(i) / 12.0)
        .take_while(|&t| t <= last)
        .collect();
    let forecast = forecast(&fit.log_theta, obs, &train, &at);
    let end = at.len() - 1;
    println!(
        "forecast for {:.2}: {:.1} ± {:.1} ppm (2σ)",
        at[end],
        forecast.mean[end],
        2.0 * forecast.sd[end]
    );
    if let Some(path) = &options.plot {
        plot_forecast(path, obs, &forecast)?;
        println!("plot written to {}", path.display());
    }

    if fit.log_likelihood <= fit.history[0] {
        return Err("the fit did not improve the log marginal likelihood".into());
    }
    Ok(())
}

// ----- tests -----

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 11th monthly mean: 48 observations over the whole record. Eleven, not twelve,
    /// so the subset meets every phase of the seasonal cycle (every twelfth month would sit
    /// on one phase, where `sin²(πr)` is nearly zero and the seasonal term nearly constant).
    fn small_record() -> Vec<Observation> {
        let weeks = parse_weeks(include_str!("data/co2-mauna-loa-weekly.csv")).unwrap();
        take_subset(monthly_means(&weeks), Subset::Every(11))
    }

    #[test]
    fn months_average_the_measured_weeks_only() {
        let text = "date,co2\n\
                    19580301,315.0\n\
                    19580308,\n\
                    19580315,317.0\n\
                    19580405,\n\
                    19580503,318.0\n";
        let months = monthly_means(&parse_weeks(text).unwrap());
        // March is the mean of its two measurements, April (nothing measured) is left out.
        assert_eq!(months.len(), 2);
        assert_eq!(months[0].co2, 316.0);
        assert!((months[0].t - (1958.0 + 2.5 / 12.0)).abs() < 1e-12);
        assert_eq!(months[1].co2, 318.0);

        let weeks = parse_weeks(include_str!("data/co2-mauna-loa-weekly.csv")).unwrap();
        let all = monthly_means(&weeks);
        assert!(
            all.iter().all(|o| o.co2 > 300.0),
            "no month is read as zero"
        );
        assert!(all.windows(2).all(|w| w[0].t < w[1].t));
    }

    /// The log marginal likelihood of R&W's formulas evaluated directly, entry by entry, with
    /// a textbook Cholesky factorisation: what `log_marginal_likelihood` must compute.
    fn direct_log_likelihood(obs: &[Observation], theta: &[f64]) -> f64 {
        let &[t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11] = theta else {
            panic!("eleven hyper-parameters")
        };
        let k = |r: f64| {
            t1 * t1 * (-r * r / (2.0 * t2 * t2)).exp()
                + t3 * t3
                    * (-r * r / (2.0 * t4 * t4) - 2.0 * (PI * r).sin().powi(2) / (t5 * t5)).exp()
                + t6 * t6 * (1.0 + r * r / (2.0 * t8 * t7 * t7)).powf(-t8)
                + t9 * t9 * (-r * r / (2.0 * t10 * t10)).exp()
        };
        let n = obs.len();
        let mean = mean_co2(obs);
        // The lower factor L = Rᵀ, row by row (Cholesky–Banachiewicz).
        let mut l = vec![vec![0.0; n]; n];
        for i in 0..n {
            for j in 0..=i {
                let mut s = k(obs[i].t - obs[j].t) + if i == j { t11 * t11 } else { 0.0 };
                s -= (0..j).map(|m| l[i][m] * l[j][m]).sum::<f64>();
                l[i][j] = if i == j { s.sqrt() } else { s / l[j][j] };
            }
        }
        // z = L⁻¹y, so yᵀK⁻¹y = zᵀz.
        let mut z = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..i).map(|m| l[i][m] * z[m]).sum();
            z[i] = (obs[i].co2 - mean - s) / l[i][i];
        }
        let half_log_det: f64 = (0..n).map(|i| l[i][i].ln()).sum();
        -0.5 * z.iter().map(|v| v * v).sum::<f64>()
            - half_log_det
            - 0.5 * n as f64 * (2.0 * PI).ln()
    }

    #[test]
    fn the_likelihood_is_rasmussen_and_williams() {
        let obs = small_record();
        let train = Training::<DefaultBackend>::new(&obs);
        for theta in [START_THETA, RW_THETA] {
            let tape = eval_bp_data(
                log_marginal_likelihood,
                &LogTheta::from_theta(theta),
                &train,
            );
            let direct = direct_log_likelihood(&obs, &theta);
            println!("log p(y|θ) at {theta:?}: tape {tape:.12}, direct {direct:.12}");
            assert!(
                (tape - direct).abs() < 1e-9 * direct.abs(),
                "tape {tape}, direct {direct}"
            );
        }
    }

    #[test]
    fn the_record_is_read_strictly() {
        assert!(parse_weeks("date,co2\n19580308,316.0\n19580301,315.0\n").is_err());
        assert!(parse_weeks("date,co2\n19580230,316.0\n").is_err());
        assert!(parse_weeks("date,co2\n19580301,zero\n").is_err());
        assert!(parse_weeks("co2,date\n").is_err());
    }

    /// The tape's gradient of the log marginal likelihood against finite differences, in every
    /// coordinate of `log θ`, at the start of the fit and at R&W's published values.
    ///
    /// The finite differences are central, with steps h and h/2 combined by one Richardson
    /// step (error O(h⁴)), so that a moderate h is accurate. A plain central difference with a
    /// small step does not reach 1e-6: the likelihood's rounding error, amplified by the
    /// condition of K and divided by h, is up to 1e-4 of the gradient at h = 1e-5.
    #[test]
    fn gradient_matches_finite_differences() {
        const STEP: f64 = 1e-2;
        const TOLERANCE: f64 = 1e-6;
        let train = Training::<DefaultBackend>::new(&small_record());
        for theta in [START_THETA, RW_THETA] {
            let log_theta = LogTheta::from_theta(theta);
            let (_, grad) = backprop_data(log_marginal_likelihood, &log_theta, &train);
            let (x, grad) = (log_theta.to_coords(), grad.to_coords());
            let at = |i: usize, h: f64| {
                let mut y = x.clone();
                y[i] += h;
                eval_bp_data(log_marginal_likelihood, &log_theta.with_coords(&y), &train)
            };
            let central = |i: usize, h: f64| (at(i, h) - at(i, -h)) / (2.0 * h);
            for (i, &analytic) in grad.iter().enumerate() {
                let numeric = (4.0 * central(i, STEP / 2.0) - central(i, STEP)) / 3.0;
                // Relative, or absolute for entries below 1 (the finite differences' own error
                // is about 1e-8 in absolute terms, too much for a relative test of a small entry).
                let error = (analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(1.0);
                println!(
                    "{:34} tape {analytic:+.10e}, finite differences {numeric:+.10e}, \
                     relative error {error:.1e}",
                    THETA_NAMES[i]
                );
                assert!(
                    error < TOLERANCE,
                    "{} at θ = {theta:?}: tape {analytic:e}, finite differences {numeric:e}",
                    THETA_NAMES[i]
                );
            }
        }
    }

    /// A short fit climbs: the likelihood at the end beats the start by a clear margin.
    #[test]
    fn a_short_fit_improves_the_likelihood() {
        let train = Training::<DefaultBackend>::new(&small_record());
        let start = LogTheta::from_theta(START_THETA);
        let fit = fit(&train, &start, 30, &ProgressBar::hidden());
        let (first, last) = (fit.history[0], *fit.history.last().unwrap());
        println!("log p(y|θ): start {first:.3}, after 30 steps {last:.3}");
        assert!(first.is_finite() && last.is_finite());
        assert!(last > first + 1.0, "start {first}, after 30 steps {last}");
        assert_eq!(
            fit.log_likelihood,
            fit.history
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        );
    }
}
