//! Cross-backend agreement: for every exported operation (every name in `backprop_linalg::ops`,
//! the `try_` forms through their success path), the same input gives the same value and the
//! same gradient on every backend of `backprop_tests::for_each_backend!` as on the reference,
//! faer (the first of that list).
//!
//! Each test `agree::<op>` draws its input once, as plain coordinates (`Vec<f64>`, from the
//! suite's well-conditioned strategies where the op needs them, instantiated on faer and
//! flattened), together with a random cotangent. It rebuilds the input on each backend from
//! those coordinates ([`Coords::with_coords`]), runs the op, seeds the backward pass with the
//! cotangent laid onto the output's coordinates, and compares the output's coordinates and the
//! gradient's coordinates of every other backend against faer's, entry by entry, within
//! `1e-9·(1 + largest magnitude)`. A failure names the op, the backend pair, value or gradient,
//! and the worst coordinate; proptest shrinks and prints the input and the cotangent.
//!
//! Decompositions follow one order and sign convention on every backend, so their factors are
//! compared directly on inputs where they are unique up to that convention (SPD for `chol`,
//! separated spectra for `eigensystem`, separated singular values for `svd_`). Where a factor is
//! not unique (the extra columns of `U` for a 5×2 `svd_`), a gauge-invariant function of it is
//! compared instead; `svd_` and `eigensystem` also get an input with no gap in its spectrum,
//! compared through the reconstruction `U·Σ·Vᵀ` (`V·diag(λ)·Vᵀ`), which is smooth there. The
//! max- and sign-based norms are run on small integers as well, so ties and zeros (their
//! subgradient conventions) are exercised, exactly. `regressions` pins, as fixed inputs, the
//! disagreements found.

use backprop_linalg::StaticDim;
use backprop_linalg::*;
use backprop_tests::gauge::sandwich;
use backprop_tests::gradcheck::{
    complex_matrix, complex_vector, eig_input, entries, invertible, lu_input, matrix as matrix_of,
    nonzero_complex_vector, principal_root_input, separated_singular, separated_vector, singular,
    small_integers, small_norm, spd, spd_repeated, sym_separated, symmetric, triangular,
    vector as vector_of, vector_with_zeros, wide_leading_block,
};
use backprop_tests::{ComplexDouble, Double};
use proptest::strategy::{BoxedStrategy, Strategy};
use proptest::test_runner::TestCaseError;
use typenum::{U1, U2, U3, U4, U5};

/// Relative tolerance: the backends compute the same quantities along different (and supposedly
/// backward-stable) routes, on inputs with condition numbers of at most about 10. Observed:
/// below 6e-14 wherever the backends agree.
const TOL: f64 = 1e-9;

/// The number of cotangent entries drawn per case; the first `n` seed an output with `n`
/// coordinates.
const SEED_LEN: usize = 128;

/// An input or output as coordinates: `(value, gradient)` of one backend.
type Outcome = (Vec<f64>, Vec<f64>);

/// A value of each input type to read coordinates into (its shape; the entries are ignored).
trait Template {
    fn template() -> Self;
}

impl Template for () {
    fn template() -> Self {}
}
impl Template for f64 {
    fn template() -> Self {
        0.0
    }
}
impl<N: StaticDim, B: Double> Template for R<N, B> {
    fn template() -> Self {
        R::zeros()
    }
}
impl<M: StaticDim, N: StaticDim, B: Double> Template for L<M, N, B> {
    fn template() -> Self {
        L::zeros()
    }
}
impl<N: StaticDim, B: Double> Template for Sym<N, B> {
    fn template() -> Self {
        Sym::from_fn(|_, _| 0.0)
    }
}
impl<N: StaticDim, B: ComplexDouble> Template for C<N, B> {
    fn template() -> Self {
        C::zeros()
    }
}
impl<Rows: StaticDim, Cols: StaticDim, B: ComplexDouble> Template for M<Rows, Cols, B> {
    fn template() -> Self {
        M::zeros()
    }
}
impl<T: Template, const K: usize> Template for [T; K] {
    fn template() -> Self {
        std::array::from_fn(|_| T::template())
    }
}
macro_rules! template_tuple {
    ($($t:ident),+) => {
        impl<$($t: Template),+> Template for ($($t,)+) {
            fn template() -> Self {
                ($($t::template(),)+)
            }
        }
    };
}
template_tuple!(T1, T2);
template_tuple!(T1, T2, T3);
template_tuple!(T1, T2, T3, T4);

/// The coordinates of the values of `strategy`.
fn coords_of<S>(strategy: S) -> BoxedStrategy<Vec<f64>>
where
    S: Strategy + 'static,
    S::Value: Coords,
{
    strategy.prop_map(|x| x.to_coords()).boxed()
}

/// The value of `f` at `x` and its gradient for the cotangent whose coordinates are the first
/// entries of `seed`, both as coordinates.
fn evaluate<A, O, F>(x: &A, f: F, seed: &[f64]) -> Outcome
where
    A: Backprop + Coords,
    O: Backprop + Coords,
    F: for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
{
    let shape = eval_bp(&f, x);
    let n = shape.to_coords().len();
    assert!(n <= seed.len(), "raise SEED_LEN to at least {n}");
    let (y, g) = backprop_with(&f, x, shape.with_coords(&seed[..n]));
    (y.to_coords(), g.to_coords())
}

/// The worst entry of `found` against `expected` within `TOL·(1 + largest magnitude)`: `Some`
/// with a description if one is out of tolerance (or the lengths differ, or there is a NaN).
fn worst(expected: &[f64], found: &[f64]) -> Option<String> {
    if expected.len() != found.len() {
        return Some(format!("{} coordinates vs {}", expected.len(), found.len()));
    }
    let scale = expected
        .iter()
        .chain(found)
        .fold(0.0f64, |m, x| m.max(x.abs()));
    let tol = TOL * (1.0 + scale);
    let (k, err) = expected
        .iter()
        .zip(found)
        .map(|(e, f)| {
            let d = (e - f).abs();
            if d.is_nan() { f64::INFINITY } else { d }
        })
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0));
    (err > tol).then(|| {
        format!(
            "worst at coordinate {k}: {} vs {} (|difference| {err:.3e} > tolerance {tol:.3e})",
            expected[k], found[k]
        )
    })
}

/// The value and gradient of one op on one backend, from input and cotangent coordinates.
type Eval = fn(&[f64], &[f64]) -> Outcome;

/// Whether every backend agrees with the reference (the first of `backends`) on the value and
/// the gradient of `op` at input coordinates `x` and cotangent coordinates `seed`; the report of
/// the first disagreement.
fn compare(op: &str, x: &[f64], seed: &[f64], backends: &[(&str, Eval)]) -> Result<(), String> {
    let [(reference_name, reference), others @ ..] = backends else {
        return Ok(());
    };
    let expected = reference(x, seed);
    for (name, eval) in others {
        let found = eval(x, seed);
        for (what, e, f) in [
            ("value", &expected.0, &found.0),
            ("gradient", &expected.1, &found.1),
        ] {
            if let Some(report) = worst(e, f) {
                return Err(format!(
                    "{op}: {reference_name} vs {name} disagree on the {what}: {report}\n\
                     {reference_name}:  {e:?}\n{name}: {f:?}\ninput coordinates: {x:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Runs `O` on every backend for inputs from `strategy` and random cotangents, and demands that
/// every backend agree with the reference on the value and the gradient.
fn check<O: Op>(op: &str, strategy: BoxedStrategy<Vec<f64>>) {
    let backends = evaluations::<O>();
    let seeds = proptest::collection::vec(-1.0f64..1.0, SEED_LEN);
    backprop_tests::gradcheck::run((strategy, seeds), |(x, seed)| {
        compare(op, &x, &seed, &backends).map_err(TestCaseError::fail)
    });
}

/// One op of the suite, evaluated on any backend from input and cotangent coordinates.
trait Op {
    fn eval<B: ComplexDouble>(x: &[f64], seed: &[f64]) -> Outcome;
}

/// The backends, from the one list (`backprop_tests::for_each_backend!`): [`Reference`], and
/// [`evaluations`] of an op on each of them.
macro_rules! backends {
    ([] $reference:ident: $r:ty $(, $name:ident: $backend:ty)* $(,)?) => {
        /// The backend the others are compared with; the inputs are drawn as its values and
        /// flattened to coordinates.
        type Reference = $r;

        /// `O` on every backend, the reference first.
        fn evaluations<O: Op>() -> Vec<(&'static str, Eval)> {
            vec![
                (stringify!($reference), O::eval::<$r> as Eval),
                $((stringify!($name), O::eval::<$backend> as Eval),)*
            ]
        }
    };
}
backprop_tests::for_each_backend!(backends);

/// For each `op (v: Input [= template] [; strategy]) => body;` a module `agree::op` holding
/// the op as a type (`agree::op::Op`, evaluated on any backend) and the input strategy, and the
/// test `agree::op` comparing every backend with the reference. `B` names the backend in `Input` and `body`; the input is read from
/// coordinates into `template` (by default [`Template::template`]), drawn from `strategy`
/// (by default entries in `[-2, 2]`; a strategy over faer types is flattened to coordinates).
macro_rules! agree {
    ($(
        $op:ident ($v:ident : $In:ty $(= $template:expr)? $(; $strategy:expr)?) => $body:expr;
    )*) => {
        /// One test per op, named after it.
        mod agree {
            $(
                pub(crate) mod $op {
                    use super::super::*;

                    // `B` is unused when the input holds only scalars.
                    #[allow(clippy::extra_unused_type_parameters)]
                    fn template<B: ComplexDouble>() -> $In {
                        agree!(@template $In $(, $template)?)
                    }

                    /// The op as a type, for [`evaluations`](crate::evaluations).
                    pub struct Op;

                    impl crate::Op for Op {
                        fn eval<B: ComplexDouble>(x: &[f64], seed: &[f64]) -> Outcome {
                            evaluate(&template::<B>().with_coords(x), |$v| $body, seed)
                        }
                    }

                    pub fn strategy() -> BoxedStrategy<Vec<f64>> {
                        agree!(@strategy $($strategy)?)
                    }
                }

                #[test]
                fn $op() {
                    crate::check::<$op::Op>(stringify!($op), $op::strategy());
                }
            )*
        }
    };
    (@template $In:ty) => { <$In as Template>::template() };
    (@template $In:ty, $template:expr) => { $template };
    (@strategy) => { entries(template::<Reference>().to_coords().len()).boxed() };
    (@strategy $strategy:expr) => { coords_of($strategy) };
}

// ----- helpers for the bodies -----

/// The first `k` columns of `q`, the rest zeroed.
fn first_columns<'t, M: StaticDim, N: StaticDim, B: Double>(
    q: BVar<'t, L<M, N, B>>,
    k: usize,
) -> BVar<'t, L<M, N, B>> {
    q * L::<M, N, B>::from_fn(|_, j| if j < k { 1.0 } else { 0.0 })
}

/// The inputs of the SVD tests: 3×3, 3×2 and 2×3, where every factor is unique under the sign
/// rule (an extra column of `U` or `V` is fixed up to its sign) and is compared directly, and
/// 5×2, where the three extra columns of `U` are unique only up to a rotation: there `svd_` is
/// compared through `U₁`, `σ`, `V` and a gauge-invariant function of `U`.
/// `affine`'s `(W, x, b)`.
type AffineInputs<B> = (L<U3, U2, B>, R<U2, B>, R<U3, B>);
/// `affine_cols`'s `(W, X, b)`.
type AffineColsInputs<B> = (L<U3, U2, B>, L<U2, U4, B>, R<U3, B>);
type SvdInputs<B> = (L<U3, U3, B>, L<U3, U2, B>, L<U2, U3, B>, L<U5, U2, B>);

/// [`SvdInputs`] with singular values at least 0.5 and pairwise at least 0.5 apart.
fn svd_inputs() -> impl Strategy<Value = SvdInputs<Reference>> {
    (
        separated_singular::<U3, U3, Reference>(),
        separated_singular::<U3, U2, Reference>(),
        separated_singular::<U2, U3, Reference>(),
        separated_singular::<U5, U2, Reference>(),
    )
}

/// The inputs of the symmetric eigen tests, three sizes at once.
type EigInputs<B> = (Sym<U2, B>, Sym<U3, B>, Sym<U4, B>);

/// [`EigInputs`] with eigenvalues pairwise at least 0.5 apart (unique eigenvectors up to the
/// sign rule, compared directly).
fn eig_inputs() -> impl Strategy<Value = EigInputs<Reference>> {
    (
        sym_separated::<U2, Reference>(),
        sym_separated::<U3, Reference>(),
        sym_separated::<U4, Reference>(),
    )
}

/// The inputs of the least-squares tests: a tall `A` of full rank with its right-hand side, and
/// a square invertible one with its right-hand side.
type LstsqInputs<B> = (L<U5, U3, B>, L<U5, U2, B>, Sq<U3, B>, L<U3, U2, B>);

fn lstsq_inputs() -> impl Strategy<Value = LstsqInputs<Reference>> {
    (
        separated_singular::<U5, U3, Reference>(),
        matrix_of::<U5, U2, Reference>(),
        invertible::<U3, Reference>(),
        matrix_of::<U3, U2, Reference>(),
    )
}

/// The inputs of the pseudo-inverse tests: tall, wide and square, of full rank.
type PinvInputs<B> = (L<U3, U2, B>, L<U2, U3, B>, Sq<U3, B>);

/// [`PinvInputs`]: the square one is only well conditioned (its singular values may be close:
/// `pinv` is smooth there, whatever its SVD's vectors do).
fn pinv_inputs() -> impl Strategy<Value = PinvInputs<Reference>> {
    (
        separated_singular::<U3, U2, Reference>(),
        separated_singular::<U2, U3, Reference>(),
        invertible::<U3, Reference>(),
    )
}

/// The inputs of the triangular-solve tests: a matrix well conditioned in its upper triangle, one
/// in its lower triangle (each with arbitrary entries in the other triangle), a right-hand side.
type TriangularInputs<B> = (Sq<U3, B>, Sq<U3, B>, L<U3, U2, B>);

fn triangular_inputs() -> impl Strategy<Value = TriangularInputs<Reference>> {
    (
        triangular::<U3, Reference>(Triangle::Upper),
        triangular::<U3, Reference>(Triangle::Lower),
        matrix_of::<U3, U2, Reference>(),
    )
}

agree! {
    // ----- vectors -----
    vec2 (v: (f64, f64)) => { let (x, y) = v.split(); vec2::<B>(x, y * x) };
    vec3 (v: (f64, f64, f64)) => { let (x, y, z) = v.split(); vec3::<B>(x, y, z * x) };
    vec4 (v: (f64, f64, f64, f64)) => {
        let (x, y, z, w) = v.split();
        vec4::<B>(x, y, z, w.sin())
    };
    vector (v: [f64; 3]) => vector::<U3, B>(&v.split());
    try_vector (v: [f64; 3]) => try_vector::<U3, B>(&v.split()).expect("three scalars");
    snoc (v: (R<U3, B>, f64)) => { let (x, s) = v.split(); snoc(x, s) };
    append (v: (R<U3, B>, R<U2, B>)) => { let (x, y) = v.split(); append(x, y) };
    split (v: R<U5, B>) => split::<U2, _, _>(v);
    head_tail (v: R<U4, B>) => head_tail(v);
    linspace (v: (f64, f64)) => {
        let (l, u) = v.split();
        (linspace::<U5, B>(l, u), linspace::<U1, B>(l, u)).join()
    };
    range (v: ()) => v.tape().constant(range::<U4, B>());
    dim (v: ()) => v.tape().constant(dim::<U3, B>());

    // ----- matrices -----
    row (v: R<U3, B>) => row(v);
    col (v: R<U3, B>) => col(v);
    unrow (v: L<U1, U3, B>) => unrow(v);
    uncol (v: L<U3, U1, B>) => uncol(v);
    hcat (v: (L<U3, U2, B>, L<U3, U4, B>)) => { let (a, b) = v.split(); hcat(a, b) };
    vcat (v: (L<U3, U2, B>, L<U2, U2, B>)) => { let (a, b) = v.split(); vcat(a, b) };
    split_rows (v: L<U5, U2, B>) => split_rows::<U3, _, _, _>(v);
    split_cols (v: L<U3, U4, B>) => split_cols::<U1, _, _, _>(v);
    eye (v: ()) => v.tape().constant(eye::<U3, B>());
    diag (v: R<U3, B>) => diag(v);
    matrix (v: [f64; 6]) => matrix::<U3, U2, B>(&v.split());
    try_matrix (v: [f64; 6]) => try_matrix::<U2, U3, B>(&v.split()).expect("six scalars");

    // ----- conversions -----
    to_rows (v: L<U3, U2, B>) => to_rows(v);
    to_columns (v: L<U2, U3, B>) => to_columns(v);
    from_rows (v: [R<U2, B>; 3]) => from_rows::<U3, _, _>(&v.split());
    try_from_rows (v: [R<U2, B>; 3]) => {
        try_from_rows::<U3, _, _>(&v.split()).expect("three rows")
    };
    from_columns (v: [R<U2, B>; 3]) => from_columns::<_, U3, _>(&v.split());
    try_from_columns (v: [R<U2, B>; 3]) => {
        try_from_columns::<_, U3, _>(&v.split()).expect("three columns")
    };

    // ----- misc -----
    konst (v: f64) => (konst::<R<U3, B>, B>(v), konst::<L<U3, U2, B>, B>(v)).join();
    create (v: (Vector<B>, Matrix<B>)
        = (Vector::from_slice(&[0.0; 3]), Matrix::from_row_major_shape(3, 2, &[0.0; 6]))) => {
        let (x, a) = v.split();
        (create::<R<U3, B>, B>(x), create::<L<U3, U2, B>, B>(a)).join()
    };
    try_create (v: (Vector<B>, Matrix<B>)
        = (Vector::from_slice(&[0.0; 3]), Matrix::from_row_major_shape(2, 3, &[0.0; 6]))) => {
        let (x, a) = v.split();
        let x = try_create::<R<U3, B>, B>(x).expect("a length-3 vector");
        (x, try_create::<L<U2, U3, B>, B>(a).expect("a 2×3 matrix")).join()
    };
    extract_v (v: R<U3, B>) => extract_v(v);
    extract_m (v: L<U3, U2, B>) => extract_m(v);
    take_diag (v: L<U3, U3, B>) => take_diag(v);
    diag_r (v: (f64, R<U3, B>)) => {
        // k = 3 ≠ min(5, 4), and k = 3 > min(2, 3) (the extra entry is unused).
        let (c, x) = v.split();
        (diag_r::<U5, U4, _, B>(c, x), diag_r::<U2, U3, _, B>(c, x)).join()
    };

    // ----- norms (the max- and sign-based ones on small integers: zeros and ties) -----
    norm_0 (v: (R<U5, B>, L<U2, U3, B>); (small_integers(5), small_integers(6))) => {
        let (x, a) = v.split();
        (norm_0(x), norm_0(a)).join()
    };
    norm_1v (v: (R<U5, B>, R<U4, B>); (small_integers(5), vector_with_zeros::<U4, Reference>())) => {
        let (x, y) = v.split();
        (norm_1v(x), norm_1v(y)).join()
    };
    norm_2v (v: R<U4, B>) => norm_2v(v);
    norm_inf_v (v: (R<U5, B>, R<U4, B>); (small_integers(5), separated_vector::<U4, Reference>())) => {
        let (x, y) = v.split();
        (norm_inf_v(x), norm_inf_v(y)).join()
    };
    norm_1m (v: (L<U3, U4, B>, L<U3, U2, B>); (small_integers(12), matrix_of::<U3, U2, Reference>())) => {
        let (a, b) = v.split();
        (norm_1m(a), norm_1m(b)).join()
    };
    norm_inf_m (v: (L<U3, U4, B>, L<U3, U2, B>); (small_integers(12), matrix_of::<U3, U2, Reference>())) => {
        let (a, b) = v.split();
        (norm_inf_m(a), norm_inf_m(b)).join()
    };
    norm_2m (v: (L<U3, U2, B>, L<U2, U3, B>);
        (separated_singular::<U3, U2, Reference>(), separated_singular::<U2, U3, Reference>())) => {
        let (a, b) = v.split();
        (norm_2m(a), norm_2m(b)).join()
    };
    try_norm_2m (v: L<U3, U3, B>; separated_singular::<U3, U3, Reference>()) => {
        try_norm_2m(v).expect("a finite matrix")
    };

    // ----- products -----
    mul (v: (L<U3, U2, B>, L<U2, U4, B>)) => { let (a, b) = v.split(); mul(a, b) };
    app (v: (L<U3, U4, B>, R<U4, B>)) => { let (a, x) = v.split(); app(a, x) };
    dot (v: (R<U4, B>, R<U4, B>)) => { let (x, y) = v.split(); dot(x, y) };
    outer (v: (R<U3, B>, R<U2, B>)) => { let (x, y) = v.split(); outer(x, y) };
    add_to_cols (v: (L<U3, U2, B>, R<U3, B>)) => { let (m, x) = v.split(); add_to_cols(m, x) };
    affine (v: AffineInputs<B>) => { let (w, x, b) = v.split(); affine(w, x, b) };
    affine_cols (v: AffineColsInputs<B>) => {
        let (w, x, b) = v.split();
        affine_cols(w, x, b)
    };
    cross (v: (R<U3, B>, R<U3, B>)) => { let (x, y) = v.split(); cross(x, y) };

    // ----- statistics -----
    mean (v: R<U4, B>; vector_with_zeros::<U4, Reference>()) => mean(v);
    mean_l (v: L<U5, U2, B>) => mean_l(v);
    cov (v: L<U5, U3, B>) => cov(v);
    mean_cov (v: L<U4, U3, B>) => mean_cov(v);

    // ----- structure -----
    tr (v: L<U3, U2, B>) => tr(v);
    sym (v: L<U3, U3, B>) => sym(v);
    un_sym (v: Sym<U3, B>; symmetric::<U3, Reference>()) => un_sym(v);
    m_tm (v: L<U4, U3, B>) => m_tm(v);
    sum_elements (v: (L<U3, U2, B>, R<U4, B>)) => {
        let (a, x) = v.split();
        (sum_elements(a), sum_elements(x)).join()
    };

    // ----- determinants and inverses -----
    det (v: [Sq<U3, B>; 3];
        (invertible::<U3, Reference>(), singular::<U3, Reference>(), small_integers(9))) => {
        // The singular inputs (rank 2, and integer matrices, often exactly singular, of any
        // rank) check the cofactor rule as well.
        let [a, s, z] = v.split();
        (det(a), det(s), det(z)).join()
    };
    try_det (v: L<U3, U3, B>; invertible::<U3, Reference>()) => try_det(v).expect("a finite matrix");
    lndet (v: L<U3, U3, B>; invertible::<U3, Reference>()) => lndet(v);
    try_lndet (v: L<U3, U3, B>; invertible::<U3, Reference>()) => try_lndet(v).expect("invertible");
    invlndet (v: L<U3, U3, B>; invertible::<U3, Reference>()) => invlndet(v);
    try_invlndet (v: L<U3, U3, B>; invertible::<U3, Reference>()) => {
        try_invlndet(v).expect("invertible")
    };
    slogdet (v: Sq<U3, B>; invertible::<U3, Reference>()) => slogdet(v);
    try_slogdet (v: Sq<U3, B>; invertible::<U3, Reference>()) => try_slogdet(v).expect("finite");
    inv (v: L<U3, U3, B>; invertible::<U3, Reference>()) => inv(v);
    try_inv (v: L<U3, U3, B>; invertible::<U3, Reference>()) => try_inv(v).expect("invertible");

    // ----- factorizations -----
    svd (v: SvdInputs<B>; svd_inputs()) => {
        let (a, b, c, d) = v.split();
        (svd(a), svd(b), svd(c), svd(d)).join()
    };
    try_svd (v: SvdInputs<B>; svd_inputs()) => {
        let (a, b, c, d) = v.split();
        let ok = "a finite matrix";
        let (a, b) = (try_svd(a).expect(ok), try_svd(b).expect(ok));
        (a, b, try_svd(c).expect(ok), try_svd(d).expect(ok)).join()
    };
    svd_ (v: (SvdInputs<B>, Sq<U3, B>); (svd_inputs(), invertible::<U3, Reference>())) => {
        // The second input has no gap between its singular values: only `U·Σ·Vᵀ` (which is
        // the input itself) is compared there.
        let ((a, b, c, d), e) = (v.split().0.split(), v.split().1);
        let (u, s, w) = svd_(d).split();
        let tall = (first_columns(u, 2), sandwich(u, 2), s, w).join();
        let (u, s, w) = svd_(e).split();
        let whole = mul(mul(u, diag(s)), tr(w));
        (svd_(a), svd_(b), svd_(c), tall, whole).join()
    };
    try_svd_ (v: (SvdInputs<B>, Sq<U3, B>); (svd_inputs(), invertible::<U3, Reference>())) => {
        let ((a, b, c, d), e) = (v.split().0.split(), v.split().1);
        let ok = "a finite matrix";
        let (u, s, w) = try_svd_(d).expect(ok).split();
        let tall = (first_columns(u, 2), sandwich(u, 2), s, w).join();
        let (u, s, w) = try_svd_(e).expect(ok).split();
        let whole = mul(mul(u, diag(s)), tr(w));
        let (a, b) = (try_svd_(a).expect(ok), try_svd_(b).expect(ok));
        (a, b, try_svd_(c).expect(ok), tall, whole).join()
    };
    eigensystem (v: (EigInputs<B>, Sym<U3, B>); (eig_inputs(), symmetric::<U3, Reference>())) => {
        // The second input has no gap between its eigenvalues: only `V·diag(λ)·Vᵀ` (which is
        // the input itself) is compared there.
        let ((a, b, c), e) = (v.split().0.split(), v.split().1);
        let (lambda, q) = eigensystem(e).split();
        let whole = mul(mul(q, diag(lambda)), tr(q));
        (eigensystem(a), eigensystem(b), eigensystem(c), whole).join()
    };
    try_eigensystem (v: (EigInputs<B>, Sym<U3, B>); (eig_inputs(), symmetric::<U3, Reference>())) => {
        let ((a, b, c), e) = (v.split().0.split(), v.split().1);
        let ok = "a finite matrix";
        let (lambda, q) = try_eigensystem(e).expect(ok).split();
        let whole = mul(mul(q, diag(lambda)), tr(q));
        let (a, b) = (try_eigensystem(a).expect(ok), try_eigensystem(b).expect(ok));
        (a, b, try_eigensystem(c).expect(ok), whole).join()
    };
    eigenvalues (v: EigInputs<B>; eig_inputs()) => {
        let (a, b, c) = v.split();
        (eigenvalues(a), eigenvalues(b), eigenvalues(c)).join()
    };
    try_eigenvalues (v: EigInputs<B>; eig_inputs()) => {
        let (a, b, c) = v.split();
        let ok = "a finite matrix";
        let (a, b) = (try_eigenvalues(a).expect(ok), try_eigenvalues(b).expect(ok));
        (a, b, try_eigenvalues(c).expect(ok)).join()
    };
    chol (v: (Sym<U2, B>, Sym<U4, B>); (spd::<U2, Reference>(), spd::<U4, Reference>())) => {
        let (a, b) = v.split();
        (chol(a), chol(b)).join()
    };
    try_chol (v: Sym<U3, B>; spd::<U3, Reference>()) => try_chol(v).expect("positive definite");

    svd_tall (v: (L<U5, U2, B>, Sq<U3, B>);
        (separated_singular::<U5, U2, Reference>(), separated_singular::<U3, U3, Reference>())) => {
        let (a, b) = v.split();
        (svd_tall(a), svd_tall(b)).join()
    };
    try_svd_tall (v: (L<U5, U2, B>, Sq<U3, B>);
        (separated_singular::<U5, U2, Reference>(), separated_singular::<U3, U3, Reference>())) => {
        let (a, b) = v.split();
        (try_svd_tall(a).expect("finite"), try_svd_tall(b).expect("finite")).join()
    };
    svd_flat (v: (L<U2, U5, B>, Sq<U3, B>);
        (separated_singular::<U2, U5, Reference>(), separated_singular::<U3, U3, Reference>())) => {
        let (a, b) = v.split();
        (svd_flat(a), svd_flat(b)).join()
    };
    try_svd_flat (v: (L<U2, U5, B>, Sq<U3, B>);
        (separated_singular::<U2, U5, Reference>(), separated_singular::<U3, U3, Reference>())) => {
        let (a, b) = v.split();
        (try_svd_flat(a).expect("finite"), try_svd_flat(b).expect("finite")).join()
    };
    qr (v: (L<U5, U3, B>, Sq<U3, B>);
        (separated_singular::<U5, U3, Reference>(), invertible::<U3, Reference>())) => {
        let (a, b) = v.split();
        (qr(a), qr(b)).join()
    };
    try_qr (v: (L<U5, U3, B>, Sq<U3, B>);
        (separated_singular::<U5, U3, Reference>(), invertible::<U3, Reference>())) => {
        let (a, b) = v.split();
        (try_qr(a).expect("full rank"), try_qr(b).expect("full rank")).join()
    };

    // ----- solves, least squares, pseudo-inverse -----
    lin_solve (v: (Sq<U3, B>, L<U3, U2, B>); (invertible::<U3, Reference>(), matrix_of::<U3, U2, Reference>())) => {
        let (a, b) = v.split();
        lin_solve(a, b)
    };
    try_lin_solve (v: (Sq<U3, B>, L<U3, U2, B>); (invertible::<U3, Reference>(), matrix_of::<U3, U2, Reference>())) => {
        let (a, b) = v.split();
        try_lin_solve(a, b).expect("invertible")
    };
    lin_solve_v (v: (Sq<U3, B>, R<U3, B>); (invertible::<U3, Reference>(), vector_of::<U3, Reference>())) => {
        let (a, b) = v.split();
        lin_solve_v(a, b)
    };
    try_lin_solve_v (v: (Sq<U3, B>, R<U3, B>); (invertible::<U3, Reference>(), vector_of::<U3, Reference>())) => {
        let (a, b) = v.split();
        try_lin_solve_v(a, b).expect("invertible")
    };
    triangular_solve (v: TriangularInputs<B>; triangular_inputs()) => {
        let (upper, lower, b) = v.split();
        let x = triangular_solve(upper, b, Triangle::Upper);
        (x, triangular_solve(lower, b, Triangle::Lower)).join()
    };
    try_triangular_solve (v: TriangularInputs<B>; triangular_inputs()) => {
        let (upper, lower, b) = v.split();
        let x = try_triangular_solve(upper, b, Triangle::Upper).expect("invertible");
        (x, try_triangular_solve(lower, b, Triangle::Lower).expect("invertible")).join()
    };
    chol_solve (v: TriangularInputs<B>; triangular_inputs()) => {
        // Only the upper triangle of the factor is read.
        let (r, _, b) = v.split();
        chol_solve(r, b)
    };
    try_chol_solve (v: TriangularInputs<B>; triangular_inputs()) => {
        let (r, _, b) = v.split();
        try_chol_solve(r, b).expect("invertible")
    };
    lstsq (v: LstsqInputs<B>; lstsq_inputs()) => {
        let (a, b, c, d) = v.split();
        (lstsq(a, b), lstsq(c, d)).join()
    };
    try_lstsq (v: LstsqInputs<B>; lstsq_inputs()) => {
        let (a, b, c, d) = v.split();
        (try_lstsq(a, b).expect("full rank"), try_lstsq(c, d).expect("full rank")).join()
    };
    lstsq_wide (v: (L<U2, U4, B>, L<U2, U3, B>);
        (separated_singular::<U2, U4, Reference>(), matrix_of::<U2, U3, Reference>())) => {
        let (a, b) = v.split();
        lstsq(a, b)
    };
    lq (v: L<U3, U4, B>; separated_singular::<U3, U4, Reference>()) => lq(v);
    try_lq (v: L<U2, U3, B>; separated_singular::<U2, U3, Reference>()) => try_lq(v).expect("full rank");
    qr_wide (v: L<U2, U4, B>; wide_leading_block::<U2, U4, Reference>()) => qr_wide(v);
    try_qr_wide (v: L<U2, U3, B>; wide_leading_block::<U2, U3, Reference>()) => {
        try_qr_wide(v).expect("an invertible leading block")
    };
    pinv (v: PinvInputs<B>; pinv_inputs()) => {
        let (a, b, c) = v.split();
        (pinv(a), pinv(b), pinv(c)).join()
    };
    try_pinv (v: PinvInputs<B>; pinv_inputs()) => {
        let (a, b, c) = v.split();
        let ok = "full rank";
        (try_pinv(a).expect(ok), try_pinv(b).expect(ok), try_pinv(c).expect(ok)).join()
    };

    // ----- matrix functions, trace -----
    expm (v: (Sq<U3, B>, Sq<U3, B>); (small_norm::<U3, Reference>(false), small_norm::<U3, Reference>(true))) => {
        let (a, b) = v.split();
        (expm(a), expm(b)).join()
    };
    try_expm (v: Sq<U3, B>; small_norm::<U3, Reference>(false)) => try_expm(v).expect("finite");
    sqrtm (v: (Sq<U2, B>, Sq<U3, B>);
        (principal_root_input::<U2, Reference>(), principal_root_input::<U3, Reference>())) => {
        let (a, b) = v.split();
        (sqrtm(a), sqrtm(b)).join()
    };
    try_sqrtm (v: Sq<U3, B>; principal_root_input::<U3, Reference>()) => {
        try_sqrtm(v).expect("a principal square root")
    };

    logm (v: (Sq<U2, B>, Sq<U3, B>);
        (principal_root_input::<U2, Reference>(), principal_root_input::<U3, Reference>())) => {
        let (a, b) = v.split();
        (logm(a), logm(b)).join()
    };
    try_logm (v: Sq<U3, B>; principal_root_input::<U3, Reference>()) => {
        try_logm(v).expect("a principal logarithm")
    };

    // ----- general eigendecomposition (vectors through phase-invariant functions) -----
    eigenvalues_general (v: Sq<U4, B>; eig_input::<U4, Reference>()) => eigenvalues_general(v);
    eig (v: Sq<U3, B>; eig_input::<U3, Reference>()) => {
        let (lambda, vectors) = eig(v).split();
        let (forms, moduli) = backprop_tests::gauge::phase_invariants(vectors);
        (lambda, forms, moduli).join()
    };
    try_eig (v: Sq<U3, B>; eig_input::<U3, Reference>()) => try_eig(v).expect("finite").split().0;

    // ----- LU (inputs with clear pivots, so every backend pivots alike) -----
    lu (v: Sq<U4, B>; lu_input::<U4, Reference>()) => lu(v);
    try_lu (v: Sq<U3, B>; lu_input::<U3, Reference>()) => try_lu(v).expect("invertible");

    // ----- convolutions -----
    conv (v: (R<U2, B>, R<U4, B>)) => {
        let (k, x) = v.split();
        conv(k, x)
    };
    corr (v: (R<U2, B>, R<U4, B>)) => {
        let (k, x) = v.split();
        corr(k, x)
    };
    conv2 (v: (L<U2, U2, B>, L<U3, U2, B>)) => {
        let (k, x) = v.split();
        conv2(k, x)
    };
    corr2 (v: (L<U2, U2, B>, L<U3, U2, B>)) => {
        let (k, x) = v.split();
        corr2(k, x)
    };

    // ----- symmetric matrix functions (the second `sym_log` input has repeated eigenvalues) -----
    sym_exp (v: Sym<U3, B>; symmetric::<U3, Reference>()) => sym_exp(v);
    try_sym_exp (v: Sym<U3, B>; symmetric::<U3, Reference>()) => try_sym_exp(v).expect("finite");
    sym_log (v: (Sym<U3, B>, Sym<U3, B>); (spd::<U3, Reference>(), spd_repeated::<U3, Reference>())) => {
        let (a, b) = v.split();
        (sym_log(a), sym_log(b)).join()
    };
    try_sym_log (v: Sym<U3, B>; spd::<U3, Reference>()) => try_sym_log(v).expect("positive definite");
    sym_sqrt (v: Sym<U4, B>; spd::<U4, Reference>()) => sym_sqrt(v);
    try_sym_sqrt (v: Sym<U3, B>; spd::<U3, Reference>()) => try_sym_sqrt(v).expect("positive definite");
    sym_pow (v: Sym<U3, B>; spd::<U3, Reference>()) => sym_pow(v, -0.5);
    try_sym_pow (v: Sym<U3, B>; spd::<U3, Reference>()) => try_sym_pow(v, 1.5).expect("positive definite");
    sym_fn (v: Sym<U3, B>; symmetric::<U3, Reference>()) => sym_fn(v, f64::sin, f64::cos);
    try_sym_fn (v: Sym<U3, B>; symmetric::<U3, Reference>()) => try_sym_fn(v, f64::sin, f64::cos).expect("finite");
    trace (v: Sq<U3, B>) => trace(v);

    // ----- maps and zippers -----
    vmap (v: (R<U3, B>, f64, f64)) => {
        let (x, a, b) = v.split();
        vmap(|e| e.sin() * a + e * e * b, x)
    };
    vmap_ (v: R<U4, B>) => vmap_(|e| e.sin() * e + e * e * e, v);
    dvmap (v: R<U3, B>) => dvmap(|e| e.exp() / (e * e + 1.0), v);
    mmap (v: (L<U3, U2, B>, f64)) => {
        let (x, a) = v.split();
        mmap(|e| (e * a).cos() + a, x)
    };
    mmap_ (v: L<U2, U3, B>) => mmap_(|e| e.cos() * e, v);
    dmmap (v: L<U3, U2, B>) => dmmap(|e| e.atan() * e, v);
    zip_with_vector (v: (R<U3, B>, R<U3, B>, f64)) => {
        let (x, y, a) = v.split();
        zip_with_vector(|p, q| p * q * a + (p - a).sin(), x, y)
    };
    zip_with_vector_ (v: (R<U3, B>, R<U3, B>)) => {
        let (x, y) = v.split();
        zip_with_vector_(|p, q| p * q.sin() + q * q, x, y)
    };
    dzip_with_vector (v: (R<U4, B>, R<U4, B>)) => {
        let (x, y) = v.split();
        dzip_with_vector(|p, q| (p * q).tanh() - p, x, y)
    };

    // ----- complex -----
    to_complex (v: (R<U3, B>, R<U3, B>)) => { let (re, im) = v.split(); to_complex(re, im) };
    from_complex (v: C<U3, B>) => from_complex(v);
    complex (v: R<U3, B>) => complex(v);
    real (v: C<U3, B>) => real(v);
    imag (v: C<U3, B>) => imag(v);
    sq_magnitude (v: C<U3, B>) => sq_magnitude(v);
    magnitude (v: C<U3, B>; nonzero_complex_vector::<U3, Reference>()) => magnitude(v);
    dot_c (v: (C<U3, B>, C<U3, B>)) => { let (x, y) = v.split(); dot_c(x, y) };
    mul_c (v: (M<U2, U3, B>, M<U3, U2, B>);
        (complex_matrix::<U2, U3, Reference>(), complex_matrix::<U3, U2, Reference>())) => {
        let (a, b) = v.split();
        mul_c(a, b)
    };
    app_c (v: (M<U3, U2, B>, C<U2, B>);
        (complex_matrix::<U3, U2, Reference>(), complex_vector::<U2, Reference>())) => {
        let (a, x) = v.split();
        app_c(a, x)
    };
    outer_c (v: (C<U3, B>, C<U2, B>)) => { let (x, y) = v.split(); outer_c(x, y) };
}

/// Fixed inputs where a backend disagreed, kept as deterministic cases.
mod regressions {
    use super::*;

    /// nalgebra's SVD (nalgebra 0.35, `SVD::try_new`) loses backward stability when two
    /// singular values are close (here 1.593526 and 1.593418; the third is 0.967, so the matrix
    /// is well conditioned): its `U` and `V` are orthonormal and its singular values accurate,
    /// but `U·S·Vᵀ` misses `A` by 2.6e-5, so `pinv` (and anything else built on both factors)
    /// disagrees with faer and ndarray by about 1e-5. Upstream: dimforge/nalgebra#1172.
    #[test]
    fn pinv_close_singular_values() {
        let x: Vec<f64> = [2.0, 0.0, 0.0, 1.0, 0.0, 0.0]
            .into_iter()
            .chain([2.0, 0.0, 0.0, 0.0, 1.0, 0.0])
            .chain([
                -0.013540573284695462,
                1.1023132330311598,
                -0.36442967590581277,
                1.2190126175028342,
                0.13890149061367923,
                -0.9201777012922415,
                0.5815894707866403,
                0.8476842036393569,
                1.1213034447385923,
            ])
            .collect();
        let seed: Vec<f64> = (0..SEED_LEN).map(|k| (0.37 * k as f64).sin()).collect();
        let backends = evaluations::<agree::pinv::Op>();
        if let Err(report) = compare("pinv", &x, &seed, &backends) {
            panic!("{report}");
        }
    }
}
