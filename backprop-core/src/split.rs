//! Taking composite values apart and putting them together on the tape.
//!
//! - [`Split`]: a `BVar` of a struct, tuple, array or `Vec` ↔ one `BVar` per part (Haskell's
//!   `splitBV`/`joinBV`, `sequenceVar`/`collectVar`). Derived structs get it from
//!   `#[derive(Backprop)]`.
//! - [`BVar::view`], [`BVar::set`], [`BVar::over`]: one field through a getter/setter pair
//!   (Haskell's `^^.`, `.~~`, `%~~`).
//!
//! Splitting borrows the parts from the whole (no clone) and gathers their gradients into one
//! gradient of the whole, moved into place, so splitting a large parameter struct costs no more
//! than the fields' own gradients.

use std::any::Any;
use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use crate::tape::{Backward, FIRST_ORDER_ONLY, Gather, Recording, Tape, VarId};
use crate::{BVar, Backprop, Pull, Val};

/// Composite values whose parts can be handed out as separate [`BVar`]s, and put back.
///
/// ```
/// use backprop_core::{grad_bp, Backprop, Split};
///
/// #[derive(Clone, Debug, PartialEq, Backprop)]
/// struct Line { slope: f64, offset: f64 }
///
/// // d/dθ (slope·2 + offset)²
/// let g = grad_bp(
///     |line| {
///         let LineVars { slope, offset } = line.split();
///         let y = slope * 2.0 + offset;
///         y * y
///     },
///     &Line { slope: 1.0, offset: 0.5 },
/// );
/// assert_eq!(g, Line { slope: 10.0, offset: 5.0 });
/// ```
pub trait Split: Backprop {
    /// One variable per part: a generated `…Vars` struct, a tuple of `BVar`s, an array or a
    /// `Vec` of them.
    type Vars<'t>;

    /// Hands out the parts of `var`. Gradients of the parts flow back into `var`.
    fn split<'t>(var: BVar<'t, Self>) -> Self::Vars<'t>;

    /// Assembles a variable from its parts. The value is cloned from the parts' values; the
    /// gradient is split and moved back into them.
    ///
    /// # Panics
    /// For a `Vec` with no elements: there is no part to find the tape from. Use
    /// `tape.constant(Vec::new())` instead.
    fn join<'t>(vars: Self::Vars<'t>) -> BVar<'t, Self>;
}

/// Parts that can be assembled into one variable: tuples, arrays and `Vec`s of [`BVar`]s, and
/// the `…Vars` structs of `#[derive(Backprop)]`. The inverse of [`BVar::split`], with the
/// whole's type inferred from the parts.
///
/// ```
/// use backprop_core::{grad_bp, Join};
/// // (x, x²) as one variable of type (f64, f64); seeded with (1, 1): d/dx = 1 + 2x
/// let g = grad_bp(|x| (x, x * x).join(), &3.0);
/// assert_eq!(g, 7.0);
/// ```
#[doc(alias = "joinBV")]
#[doc(alias = "collectVar")]
pub trait Join<'t> {
    /// The assembled type.
    type Whole: Backprop;

    /// One variable holding all the parts (see [`Split::join`]).
    fn join(self) -> BVar<'t, Self::Whole>;
}

impl<'t, T: Split> BVar<'t, T> {
    /// The parts of this variable, see [`Split`].
    #[doc(alias = "splitBV")]
    #[doc(alias = "sequenceVar")]
    pub fn split(self) -> T::Vars<'t> {
        T::split(self)
    }
}

/// Builder for [`Split::split`] implementations: projects the fields of a composite variable,
/// borrowing their values, and gathers their gradients into one gradient of the whole.
///
/// Created by [`BVar::fields`]; each call of [`field`](Fields::field) makes the next part.
pub struct Fields<'t, S> {
    parent: &'t S,
    parts: Parts<'t>,
    /// On a tape whose backward pass will be recorded, each part's projection (see
    /// [`FieldsGather`]).
    projections: Option<Projections<S>>,
}

/// Adds the part of a whole's cotangent that belongs to one field to that field's gradient
/// variable (a node index): the transpose of gathering, for a recorded backward pass.
type Projection<S> = Box<dyn Fn(&S, &mut Pull<'_, '_>, usize)>;

/// The projections of a split's parts, shared by the builder that makes them and the gathering
/// step that uses them.
type Projections<S> = Rc<RefCell<Vec<Projection<S>>>>;

/// The gathering step of [`BVar::fields`].
struct FieldsGather<S, G> {
    parent: VarId<S>,
    count: usize,
    gather: G,
    projections: Option<Projections<S>>,
}

impl<S, G> Gather for FieldsGather<S, G>
where
    S: Backprop,
    G: Fn(&mut FieldGrads<'_, '_>, &S) -> S + 'static,
{
    fn plain(self: Box<Self>, ctx: &mut Backward<'_>, own: usize) {
        let range = own + 1..own + 1 + self.count;
        if !ctx.any_grad(range.clone()) {
            return;
        }
        let value = ctx.value(self.parent);
        let source = Source::Plain {
            ctx: &mut *ctx,
            range,
        };
        let grad = (self.gather)(&mut FieldGrads { source }, value);
        ctx.add(self.parent, grad);
    }

    /// Assembles the whole's gradient variable from the parts' gradient variables: its value
    /// by the gather function, its rule by the parts' projections.
    fn recorded<'t>(&self, rec: &mut Recording<'t>, own: usize) {
        let parts: Vec<Option<usize>> = rec.grads[own + 1..own + 1 + self.count].to_vec();
        if parts.iter().all(Option::is_none) {
            return;
        }
        let projections = self.projections.clone().expect(FIRST_ORDER_ONLY);
        let tape = rec.tape;
        let whole = tape.var::<S>(self.parent.index());
        let source = Source::Recorded {
            tape,
            grads: &parts,
        };
        let value = (self.gather)(&mut FieldGrads { source }, whole.value());
        let requires_grad = parts.iter().flatten().any(|&g| tape.requires_grad_at(g));
        let assembled = tape.record_rule(value, requires_grad, move |cx, _, dy| {
            let Ok(dy) = dy.plain() else {
                panic!("the third order through a split is not supported")
            };
            for (project, part) in projections.borrow().iter().zip(&parts) {
                if let Some(part) = *part {
                    project(&dy, cx, part);
                }
            }
        });
        rec.add(self.parent, assembled);
    }
}

/// The bookkeeping of [`Fields`], apart from the whole's type.
struct Parts<'t> {
    tape: &'t Tape<'t>,
    requires_grad: bool,
    first: usize,
    count: usize,
    made: usize,
}

impl<'t> Parts<'t> {
    /// Records the next part, borrowing `value`; returns its index. Inline: on a tape that only
    /// evaluates, this is two counters and a comparison.
    #[inline]
    #[track_caller]
    fn next(&mut self, value: &'t dyn Any) -> usize {
        assert!(
            self.made < self.count,
            "Fields: more parts made than the {} announced",
            self.count
        );
        let index = self.tape.part(value, self.requires_grad);
        debug_assert_eq!(index, self.first + self.made);
        self.made += 1;
        index
    }
}

impl<'t, S: Backprop> BVar<'t, S> {
    /// Splits this variable into `count` parts.
    ///
    /// `make` receives a [`Fields`] builder and must call [`Fields::field`] exactly `count`
    /// times, in order; `gather` builds the gradient of the whole from the parts' gradients
    /// (take part `i` with [`FieldGrads::take`]). This is what `#[derive(Backprop)]` generates
    /// for [`Split`]; it is public for hand-written composite types.
    ///
    /// # Panics
    /// If `make` does not make exactly `count` fields.
    #[track_caller]
    pub fn fields<V>(
        self,
        count: usize,
        make: impl FnOnce(&mut Fields<'t, S>) -> V,
        gather: impl Fn(&mut FieldGrads<'_, '_>, &S) -> S + 'static,
    ) -> V {
        let requires_grad = self.requires_grad();
        let projections = (requires_grad && self.tape().second_order())
            .then(|| Rc::new(RefCell::new(Vec::with_capacity(count))));
        // The parts are recorded right after the gather node, so they sit at `own + 1 ..`.
        let gather_node = self.tape().record_gather(
            requires_grad,
            FieldsGather {
                parent: self.id(),
                count,
                gather,
                projections: projections.clone(),
            },
        );
        let mut builder = Fields {
            parent: self.value(),
            parts: Parts {
                tape: self.tape(),
                requires_grad,
                first: gather_node.index() + 1,
                count,
                made: 0,
            },
            projections,
        };
        let parts = make(&mut builder);
        assert_eq!(
            builder.parts.made, count,
            "Fields: made {} parts where {count} were announced",
            builder.parts.made
        );
        parts
    }
}

impl<'t, S: Backprop> Fields<'t, S> {
    /// The next part: a variable borrowing `get(whole)`. No clone. (`get` is kept, for a
    /// backward pass that is recorded, hence `Copy + 'static`: a field access `|s| &s.a`.)
    #[track_caller]
    pub fn field<F: Backprop>(&mut self, get: impl Fn(&S) -> &F + Copy + 'static) -> BVar<'t, F> {
        let value = get(self.parent);
        let index = self.parts.next(value);
        if let Some(projections) = &self.projections {
            projections.borrow_mut().push(Box::new(
                move |whole: &S, cx: &mut Pull<'_, '_>, part: usize| {
                    cx.add(VarId::<F>::new(part), Val::Own(get(whole).clone()));
                },
            ));
        }
        BVar::from_parts(self.parts.tape, index, value, self.parts.requires_grad)
    }
}

/// The gradients of the parts of a split variable, as seen by its gather function.
pub struct FieldGrads<'c, 'a> {
    source: Source<'c, 'a>,
}

/// Where [`FieldGrads`] reads the parts' gradients.
enum Source<'c, 'a> {
    /// A first-order pass: the gradients themselves, taken.
    Plain {
        ctx: &'c mut Backward<'a>,
        range: Range<usize>,
    },
    /// A recorded pass: the values of the gradient variables, cloned.
    Recorded {
        tape: &'a Tape<'a>,
        grads: &'c [Option<usize>],
    },
}

impl FieldGrads<'_, '_> {
    /// The gradient of part `i`, or `value.zero()` if none arrived; `value` is that part's
    /// value.
    #[track_caller]
    pub fn take<F: Backprop>(&mut self, i: usize, value: &F) -> F {
        let grad = match &mut self.source {
            Source::Plain { ctx, range } => {
                assert!(i < range.len(), "FieldGrads: no part {i}");
                ctx.take_grad(VarId::<F>::new(range.start + i))
            }
            Source::Recorded { tape, grads } => {
                let grad = *grads
                    .get(i)
                    .unwrap_or_else(|| panic!("FieldGrads: no part {i}"));
                grad.map(|g| tape.var::<F>(g).value().clone())
            }
        };
        grad.unwrap_or_else(|| value.zero())
    }
}

/// The rule of joining parts into a whole: each part receives its piece of the whole's
/// cotangent, moved out of an owned one, borrowed from a borrowed one, split from a variable.
macro_rules! join_rule {
    ($cx:ident, $dy:ident, |$g:ident| $owned:expr, |$r:ident| $borrowed:expr, |$v:ident| $var:expr) => {
        match $dy.plain() {
            Ok(Cow::Owned($g)) => $owned,
            Ok(Cow::Borrowed($r)) => $borrowed,
            Err($v) => $var,
        }
    };
}

macro_rules! impl_split_tuple {
    ($n:expr; $($name:ident $var:ident $idx:tt),+) => {
        impl<$($name: Backprop),+> Split for ($($name,)+) {
            type Vars<'t> = ($(BVar<'t, $name>,)+);

            fn split<'t>(var: BVar<'t, Self>) -> Self::Vars<'t> {
                var.fields(
                    $n,
                    |f| ($(f.field(|s| &s.$idx),)+),
                    |g, s| ($(g.take($idx, &s.$idx),)+),
                )
            }

            fn join<'t>(vars: Self::Vars<'t>) -> BVar<'t, Self> {
                let ($($var,)+) = vars;
                let tape = vars.0.tape();
                let requires_grad = false $(|| $var.requires_grad())+;
                let ids = ($($var.id(),)+);
                tape.record_rule(($($var.value().clone(),)+), requires_grad, move |cx, _, dy| {
                    join_rule!(cx, dy,
                        |g| { $(cx.add(ids.$idx, Val::Own(g.$idx));)+ },
                        |g| { $(cx.add(ids.$idx, Val::Ref(&g.$idx));)+ },
                        |v| { let parts = v.split(); $(cx.add(ids.$idx, Val::Var(parts.$idx));)+ })
                })
            }
        }
    };
}

macro_rules! impl_join_for_vars {
    ($({$($gen:tt)*} $vars:ty => $whole:ty),* $(,)?) => {$(
        impl<'t, $($gen)*> Join<'t> for $vars {
            type Whole = $whole;
            fn join(self) -> BVar<'t, $whole> {
                <$whole as Split>::join(self)
            }
        }
    )*};
}

impl_join_for_vars!(
    {A: Backprop} (BVar<'t, A>,) => (A,),
    {A: Backprop, B: Backprop} (BVar<'t, A>, BVar<'t, B>) => (A, B),
    {A: Backprop, B: Backprop, C: Backprop} (BVar<'t, A>, BVar<'t, B>, BVar<'t, C>) => (A, B, C),
    {A: Backprop, B: Backprop, C: Backprop, D: Backprop}
        (BVar<'t, A>, BVar<'t, B>, BVar<'t, C>, BVar<'t, D>) => (A, B, C, D),
    {A: Backprop, B: Backprop, C: Backprop, D: Backprop, E: Backprop}
        (BVar<'t, A>, BVar<'t, B>, BVar<'t, C>, BVar<'t, D>, BVar<'t, E>) => (A, B, C, D, E),
    {A: Backprop, B: Backprop, C: Backprop, D: Backprop, E: Backprop, F: Backprop}
        (BVar<'t, A>, BVar<'t, B>, BVar<'t, C>, BVar<'t, D>, BVar<'t, E>, BVar<'t, F>)
        => (A, B, C, D, E, F),
    {A: Backprop, B: Backprop, C: Backprop, D: Backprop, E: Backprop, F: Backprop, G: Backprop}
        (BVar<'t, A>, BVar<'t, B>, BVar<'t, C>, BVar<'t, D>, BVar<'t, E>, BVar<'t, F>,
         BVar<'t, G>) => (A, B, C, D, E, F, G),
    {A: Backprop, B: Backprop, C: Backprop, D: Backprop, E: Backprop, F: Backprop, G: Backprop,
     H: Backprop}
        (BVar<'t, A>, BVar<'t, B>, BVar<'t, C>, BVar<'t, D>, BVar<'t, E>, BVar<'t, F>,
         BVar<'t, G>, BVar<'t, H>) => (A, B, C, D, E, F, G, H),
    {T: Backprop, const N: usize} [BVar<'t, T>; N] => [T; N],
    {T: Backprop} Vec<BVar<'t, T>> => Vec<T>,
);

impl_split_tuple!(1; A a 0);
impl_split_tuple!(2; A a 0, B b 1);
impl_split_tuple!(3; A a 0, B b 1, C c 2);
impl_split_tuple!(4; A a 0, B b 1, C c 2, D d 3);
impl_split_tuple!(5; A a 0, B b 1, C c 2, D d 3, E e 4);
impl_split_tuple!(6; A a 0, B b 1, C c 2, D d 3, E e 4, F f 5);
impl_split_tuple!(7; A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6);
impl_split_tuple!(8; A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7);

/// The rule of joining the elements of an array or a `Vec`: element `i` of the cotangent goes to
/// the variable `ids[i]`.
fn add_elements<'v, T, C>(cx: &mut Pull<'_, 'v>, ids: &[VarId<T>], dy: Val<'v, C>)
where
    T: Backprop,
    C: Split + IntoIterator<Item = T>,
    C::Vars<'v>: IntoIterator<Item = BVar<'v, T>>,
    for<'a> &'a C: IntoIterator<Item = &'a T>,
{
    join_rule!(
        cx,
        dy,
        |g| ids
            .iter()
            .zip(g)
            .for_each(|(id, g)| cx.add(*id, Val::Own(g))),
        |g| ids
            .iter()
            .zip(g)
            .for_each(|(id, g)| cx.add(*id, Val::Ref(g))),
        |v| ids
            .iter()
            .zip(v.split())
            .for_each(|(id, g)| cx.add(*id, Val::Var(g)))
    )
}

impl<T: Backprop, const N: usize> Split for [T; N] {
    type Vars<'t> = [BVar<'t, T>; N];

    fn split<'t>(var: BVar<'t, Self>) -> Self::Vars<'t> {
        var.fields(
            N,
            |f| std::array::from_fn(|i| f.field(move |s| &s[i])),
            |g, s| std::array::from_fn(|i| g.take(i, &s[i])),
        )
    }

    /// # Panics
    /// For `N = 0`: there is no part to find the tape from.
    fn join<'t>(vars: Self::Vars<'t>) -> BVar<'t, Self> {
        let first = vars
            .first()
            .expect("cannot join an empty array of BVars: no tape to put it on");
        let requires_grad = vars.iter().any(BVar::requires_grad);
        let ids = vars.map(|v| v.id());
        let value = std::array::from_fn(|i| vars[i].value().clone());
        first
            .tape()
            .record_rule(value, requires_grad, move |cx, _, dy| {
                add_elements(cx, &ids, dy)
            })
    }
}

impl<T: Backprop> Split for Vec<T> {
    type Vars<'t> = Vec<BVar<'t, T>>;

    fn split<'t>(var: BVar<'t, Self>) -> Self::Vars<'t> {
        let n = var.value().len();
        var.fields(
            n,
            |f| (0..n).map(|i| f.field(move |s| &s[i])).collect(),
            |g, s| s.iter().enumerate().map(|(i, v)| g.take(i, v)).collect(),
        )
    }

    fn join<'t>(vars: Self::Vars<'t>) -> BVar<'t, Self> {
        let first = vars
            .first()
            .expect("cannot join an empty Vec of BVars: no tape to put it on; use tape.constant(Vec::new())");
        let requires_grad = vars.iter().any(BVar::requires_grad);
        let ids: Vec<VarId<T>> = vars.iter().map(BVar::id).collect();
        let value = vars.iter().map(|v| v.value().clone()).collect();
        first
            .tape()
            .record_rule(value, requires_grad, move |cx, _, dy| {
                add_elements(cx, &ids, dy)
            })
    }
}

impl<'t, S: Backprop> BVar<'t, S> {
    /// One field of a composite variable, borrowed (Haskell's `viewVar`, `^^.`).
    ///
    /// `get` and `get_mut` point at the same field; the gradient of the field is added into
    /// the whole's gradient in place.
    ///
    /// ```
    /// use backprop_core::grad_bp;
    /// // d/d(a, b) of a·a = (2a, 0)
    /// let g = grad_bp(|p| { let a = p.view(|p| &p.0, |p| &mut p.0); a * a }, &(3.0, 4.0));
    /// assert_eq!(g, (6.0, 0.0));
    /// ```
    #[doc(alias = "viewVar")]
    pub fn view<F: Backprop>(
        self,
        get: impl FnOnce(&'t S) -> &'t F,
        get_mut: fn(&mut S) -> &mut F,
    ) -> BVar<'t, F> {
        let parent = self.id();
        self.tape()
            .record_ref_rule(get(self.value()), self.requires_grad(), move |cx, _, dy| {
                let whole = cx.value(parent);
                if let Some(ctx) = cx.first_order() {
                    let (whole, dy) = (whole.get(), dy.plain().map(Cow::into_owned));
                    let Ok(dy) = dy else {
                        unreachable!("a first-order rule computes on plain values")
                    };
                    ctx.accumulate_with(
                        parent,
                        dy,
                        |acc, dy| get_mut(acc).add_assign(dy),
                        |dy| embed(whole.zero(), get_mut, dy),
                    );
                    return;
                }
                let zero = Rc::new(whole.get().zero());
                cx.add(parent, embed_val(dy, get_mut, &zero));
            })
    }

    /// A copy of this variable with one field replaced (Haskell's `setVar`, `.~~`).
    #[doc(alias = "setVar")]
    pub fn set<F: Backprop>(self, get_mut: fn(&mut S) -> &mut F, field: BVar<'t, F>) -> Self {
        let mut value = self.value().clone();
        *get_mut(&mut value) = field.value().clone();
        let (whole, part) = (self.id(), field.id());
        let requires_grad = self.requires_grad() || field.requires_grad();
        let zero = Rc::new(self.value().zero());
        self.tape()
            .record_rule(value, requires_grad, move |cx, _, grad| {
                if cx.wants(part) {
                    let grad_part = project_val(grad.clone(), get_mut, &zero);
                    cx.add(part, grad_part);
                }
                if cx.wants(whole) {
                    cx.add(whole, without_field_val(grad, get_mut));
                }
            })
    }

    /// This variable with `f` applied to one field (Haskell's `overVar`, `%~~`).
    #[doc(alias = "overVar")]
    pub fn over<F: Backprop>(
        self,
        get: impl FnOnce(&'t S) -> &'t F,
        get_mut: fn(&mut S) -> &mut F,
        f: impl FnOnce(BVar<'t, F>) -> BVar<'t, F>,
    ) -> Self {
        let part = f(self.view(get, get_mut));
        self.set(get_mut, part)
    }
}

/// `zero` with the field `get_mut` points at set to `field`.
fn embed<S, F>(mut zero: S, get_mut: fn(&mut S) -> &mut F, field: F) -> S {
    *get_mut(&mut zero) = field;
    zero
}

/// The field of `s` that `get_mut` points at, as a quantity of a rule (the adjoint of
/// [`embed_val`]): read on a plain value, recorded on a variable.
fn project_val<'v, S: Backprop, F: Backprop>(
    s: Val<'v, S>,
    get_mut: fn(&mut S) -> &mut F,
    zero: &Rc<S>,
) -> Val<'v, F> {
    let zero = Rc::clone(zero);
    s.map(
        |s| get_mut(&mut s.into_owned()).clone(),
        |s| {
            let value = get_mut(&mut s.value().clone()).clone();
            let id = s.id();
            s.tape()
                .record_rule(value, s.requires_grad(), move |cx, _, df| {
                    cx.add(id, embed_val(df, get_mut, &zero));
                })
        },
    )
}

/// The whole (shaped like `zero`) holding `f` at the field `get_mut` points at and zeros
/// elsewhere, as a quantity of a rule (the adjoint of [`project_val`]).
fn embed_val<'v, S: Backprop, F: Backprop>(
    f: Val<'v, F>,
    get_mut: fn(&mut S) -> &mut F,
    zero: &Rc<S>,
) -> Val<'v, S> {
    let zero = Rc::clone(zero);
    let plain_zero = Rc::clone(&zero);
    f.map(
        move |f| embed((*plain_zero).clone(), get_mut, f.into_owned()),
        |f| {
            let value = embed((*zero).clone(), get_mut, f.value().clone());
            let id = f.id();
            f.tape()
                .record_rule(value, f.requires_grad(), move |cx, _, ds| {
                    cx.add(id, project_val(ds, get_mut, &zero));
                })
        },
    )
}

/// `s` with the field `get_mut` points at set to zero, as a quantity of a rule (linear and
/// self-adjoint: its rule is itself).
fn without_field_val<'v, S: Backprop, F: Backprop>(
    s: Val<'v, S>,
    get_mut: fn(&mut S) -> &mut F,
) -> Val<'v, S> {
    let clear = move |mut s: S| {
        let field = get_mut(&mut s);
        *field = field.zero();
        s
    };
    s.map(
        move |s| clear(s.into_owned()),
        |s| {
            let value = clear(s.value().clone());
            let id = s.id();
            s.tape()
                .record_rule(value, s.requires_grad(), move |cx, _, ds| {
                    cx.add(id, without_field_val(ds, get_mut));
                })
        },
    )
}
