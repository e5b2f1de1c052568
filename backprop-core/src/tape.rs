//! The tape: every value of one differentiation, and how to send gradients back through it.
//!
//! A [`Tape`] lives for one call of [`grad_bp`](crate::grad_bp) (or its siblings). Values are
//! stored once, in an arena that the next tape of the thread reuses (`storage.rs`), and
//! handed out as `&'t T`; inputs passed by reference and fields
//! projected out of a struct are borrowed, never cloned. Each recorded operation keeps a
//! *pullback*, a `'static` closure that receives the operation's output gradient and adds the
//! gradients of its inputs through a [`Backward`] context. The backward pass runs the pullbacks
//! in reverse creation order.
//!
//! Most users never touch this module: operators, [`lift1`](crate::lift1) and friends record for
//! them. Op authors who want to skip work for constant inputs, or accumulate gradients in place,
//! use [`Tape::record`] and [`Backward`] directly.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use crate::pull::{Pull, Val};
use crate::storage::{Nodes, Values};
use crate::{BVar, Backprop};

/// A type-erased gradient, as stored between pullbacks.
pub(crate) type Grad = Box<dyn Any>;

/// The pullback of an operation: output value and output gradient in, input gradients out.
type OpPullback = Box<dyn FnOnce(&mut Backward<'_>, &dyn Any, Grad)>;

/// A gathering step (see [`Tape::record_gather`]): assembles a gradient from the gradients of
/// the nodes after it, in a first-order pass (`plain`) or a recorded one.
pub(crate) trait Gather {
    /// Runs on plain gradients, consuming the step; `own` is the step's node.
    fn plain(self: Box<Self>, ctx: &mut Backward<'_>, own: usize);
    /// Runs on gradient variables, recording what it assembles.
    fn recorded<'t>(&self, rec: &mut Recording<'t>, own: usize);
}

/// What a node does in the backward pass.
pub(crate) enum Pullback {
    /// An input, a constant, a projected field: nothing to propagate.
    Leaf,
    /// Runs when the node received a gradient; first order only ([`Tape::record`]).
    Op(OpPullback),
    /// A rule written once for every order ([`Tape::record_rule`]); runs when the node
    /// received a gradient.
    Rule(Box<dyn Rule>),
    /// Runs after every later node, whether or not this node received a gradient.
    Gather(Box<dyn Gather>),
}

/// The record of one differentiation.
///
/// A tape is created by [`grad_bp`](crate::grad_bp), [`backprop`](crate::backprop),
/// [`eval_bp`](crate::eval_bp) and their siblings, and lent to the closure being differentiated
/// as `&'t Tape<'t>`. The lifetime `'t` is invariant and universally quantified
/// (`for<'t> FnOnce(BVar<'t, A>) -> BVar<'t, B>`), so a [`BVar`] can neither leave its closure
/// nor meet a `BVar` of another tape: the compiler rejects both.
///
/// Reach it from any variable with [`BVar::tape`], e.g. to put a constant on it.
pub struct Tape<'t> {
    /// The values this tape owns; they never move or drop before the tape is gone.
    values: &'t Values,
    /// The nodes, for the backward pass; left empty on a tape that does not record them.
    nodes: RefCell<Nodes<'t>>,
    /// Whether nodes are recorded. A tape that only evaluates ([`eval_bp`](crate::eval_bp) and
    /// its siblings) never runs a backward pass, so it keeps the values and numbers the nodes
    /// but records nothing else.
    records: bool,
    /// Number of nodes made so far: the next node's index.
    count: Cell<usize>,
    /// Whether the backward pass will be recorded ([`hvp`](crate::hvp), [`jvp`](crate::jvp)):
    /// splits then keep what a recorded pass needs.
    second_order: Cell<bool>,
}

/// The index of a variable on its tape, typed by its value, without the tape's lifetime.
///
/// Pullbacks are `'static` closures, so they capture `VarId`s rather than [`BVar`]s, and read
/// values and add gradients through the [`Backward`] context. An id is meaningful only on the
/// tape it came from; using it elsewhere panics with a message rather than misbehaving.
pub struct VarId<T> {
    index: usize,
    _value: PhantomData<fn() -> T>,
}

impl<T> Clone for VarId<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for VarId<T> {}

impl<T> fmt::Debug for VarId<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VarId({})", self.index)
    }
}

impl<T> VarId<T> {
    pub(crate) fn new(index: usize) -> Self {
        VarId {
            index,
            _value: PhantomData,
        }
    }

    /// The position on the tape (creation order).
    pub fn index(self) -> usize {
        self.index
    }
}

static UNIT: () = ();

impl<'t> Tape<'t> {
    /// A tape whose values go to `values` and whose nodes to `nodes` (empty arrays, from the
    /// thread's storage), recording its nodes for a backward pass if `records`.
    pub(crate) fn new(values: &'t Values, nodes: Nodes<'t>, records: bool) -> Self {
        Tape {
            values,
            nodes: RefCell::new(nodes),
            records,
            count: Cell::new(0),
            second_order: Cell::new(false),
        }
    }

    /// Empties the node arrays and hands them, free of `'t`, to the thread's storage to keep,
    /// with the gradient array of the backward pass if there was one. Called by the runners
    /// once they are done with the tape; the tape stays valid, and empty.
    pub(crate) fn take_nodes(&self, gradients: Option<Gradients>) -> Nodes<'static> {
        let mut nodes = std::mem::take(&mut *self.nodes.borrow_mut());
        if let Some(gradients) = gradients {
            nodes.grads = gradients.grads;
        }
        nodes.cleared()
    }

    /// Marks the tape as one whose backward pass will be recorded.
    pub(crate) fn enable_second_order(&self) {
        self.second_order.set(true);
    }

    /// Whether the backward pass of this tape will be recorded and differentiated again (the
    /// tapes of [`hvp`](crate::hvp) and [`jvp`](crate::jvp)). An op that computes its
    /// derivatives in the forward pass (an entry-wise map differentiated on the spot, say)
    /// computes the second derivatives too on such a tape, and only there.
    pub fn second_order(&self) -> bool {
        self.second_order.get()
    }

    /// Number of nodes made so far (on a tape that only evaluates, the nodes it numbered).
    pub fn len(&self) -> usize {
        self.count.get()
    }

    /// Whether nothing has been recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores `value` with the others of its type: no allocation per value.
    fn alloc<T: Backprop>(&'t self, value: T) -> &'t T {
        self.values.alloc(value)
    }

    /// Makes the next node and returns its index. On a tape that only evaluates this is a
    /// counter; the recording is one non-generic function, so that the code every recorded
    /// operation runs is one copy: a forward pass through a large network stays small enough
    /// for the instruction cache (see BENCHMARKS.md). `pullback` is called only on a tape that
    /// records nodes.
    #[inline]
    fn push_node(
        &'t self,
        value: &'t dyn Any,
        requires_grad: bool,
        pullback: &mut dyn FnMut() -> Pullback,
    ) -> usize {
        let index = self.count.get();
        self.count.set(index + 1);
        if self.records {
            self.record_node(index, value, requires_grad, pullback);
        }
        index
    }

    /// Records node `index` (see [`push_node`](Tape::push_node)). Out of line, so that a tape
    /// that only evaluates pays neither its code nor its saved registers.
    #[inline(never)]
    fn record_node(
        &'t self,
        index: usize,
        value: &'t dyn Any,
        requires_grad: bool,
        pullback: &mut dyn FnMut() -> Pullback,
    ) {
        let mut nodes = self.nodes.borrow_mut();
        debug_assert_eq!(index, nodes.values.len());
        nodes.values.push(value);
        nodes.requires_grad.push(requires_grad);
        nodes.pullbacks.push(pullback());
    }

    /// A node without a pullback (an input, a constant, a projected part).
    fn push_leaf<T: 'static>(&'t self, value: &'t T, requires_grad: bool) -> BVar<'t, T> {
        let index = self.push_node(value, requires_grad, &mut || Pullback::Leaf);
        BVar::from_parts(self, index, value, requires_grad)
    }

    /// A node with the pullback of an operation (boxed only if the tape records nodes and an
    /// input needs a gradient).
    fn push_op<T: Backprop, F>(
        &'t self,
        value: &'t T,
        requires_grad: bool,
        pullback: F,
    ) -> BVar<'t, T>
    where
        F: FnOnce(&mut Backward<'_>, &T, T) + 'static,
    {
        let mut pullback = Some(pullback);
        let index = self.push_node(value, requires_grad, &mut || match pullback.take() {
            Some(pullback) if requires_grad => op_pullback(pullback),
            _ => Pullback::Leaf,
        });
        BVar::from_parts(self, index, value, requires_grad)
    }

    /// A differentiated input, borrowed from the caller.
    pub(crate) fn input<T: Backprop>(&'t self, value: &'t T) -> BVar<'t, T> {
        debug_assert!(
            self.records,
            "a differentiated input on a tape that only evaluates"
        );
        self.push_leaf(value, true)
    }

    /// A differentiated input owned by the tape (the cotangent of [`jvp`](crate::jvp)).
    pub(crate) fn input_owned<T: Backprop>(&'t self, value: T) -> BVar<'t, T> {
        let value = self.alloc(value);
        self.push_leaf(value, true)
    }

    /// A part of a value on this tape, whose gradient is left in place for a gathering step
    /// to collect (see [`record_gather`](Tape::record_gather)).
    #[inline]
    pub(crate) fn part(&'t self, value: &'t dyn Any, requires_grad: bool) -> usize {
        self.push_node(value, requires_grad, &mut || Pullback::Leaf)
    }

    /// A constant: no gradient flows to it (Haskell's `auto`/`constVar`).
    ///
    /// ```
    /// use backprop_core::grad_bp;
    ///
    /// // d/dx (x * 3) = 3
    /// let g = grad_bp(|x| x * x.tape().constant(3.0), &2.0);
    /// assert_eq!(g, 3.0);
    /// ```
    pub fn constant<T: Backprop>(&'t self, value: T) -> BVar<'t, T> {
        let value = self.alloc(value);
        self.push_leaf(value, false)
    }

    /// A constant borrowed from outside the differentiated closure, without cloning it.
    pub fn constant_ref<T: Backprop>(&'t self, value: &'t T) -> BVar<'t, T> {
        self.push_leaf(value, false)
    }

    /// Records an operation's output and its pullback.
    ///
    /// `requires_grad` says whether any input needs a gradient (`x.requires_grad() || ...`);
    /// when it is false the pullback is dropped unused and the output is a constant. The
    /// pullback receives the [`Backward`] context, the output value and the output gradient
    /// (owned, so it can be moved into an input's gradient), and adds each input's gradient with
    /// [`Backward::add`] or [`Backward::accumulate`].
    ///
    /// ```
    /// use backprop_core::{grad_bp, BVar};
    ///
    /// /// softplus(x) = ln(1 + eˣ), with d/dx = logistic(x).
    /// fn softplus<'t>(x: BVar<'t, f64>) -> BVar<'t, f64> {
    ///     let id = x.id();
    ///     let y = x.value().exp().ln_1p();
    ///     x.tape().record(y, x.requires_grad(), move |ctx, _y, dy| {
    ///         let x = *ctx.value(id);
    ///         ctx.add(id, dy / (1.0 + (-x).exp()));
    ///     })
    /// }
    ///
    /// let g = grad_bp(softplus, &0.0);
    /// assert!((g - 0.5).abs() < 1e-15);
    /// ```
    pub fn record<T, F>(&'t self, value: T, requires_grad: bool, pullback: F) -> BVar<'t, T>
    where
        T: Backprop,
        F: FnOnce(&mut Backward<'_>, &T, T) + 'static,
    {
        let value = self.alloc(value);
        self.push_op(value, requires_grad, pullback)
    }

    /// Like [`record`](Tape::record), for an output that borrows from a value already on this
    /// tape (a projected field, say) instead of owning a new one.
    pub fn record_ref<T, F>(&'t self, value: &'t T, requires_grad: bool, pullback: F) -> BVar<'t, T>
    where
        T: Backprop,
        F: FnOnce(&mut Backward<'_>, &T, T) + 'static,
    {
        self.push_op(value, requires_grad, pullback)
    }

    /// Records an operation's output and its gradient rule, written once for the first and
    /// the second order.
    ///
    /// Like [`record`](Tape::record), but the rule computes with [`Val`]s through a [`Pull`]
    /// context instead of plain values: in a first-order backward pass it runs on plain values
    /// (at the cost of a rule written on them directly); when the backward pass is recorded for
    /// [`hvp`](crate::hvp) or [`jvp`](crate::jvp), it runs on tape variables, so the gradient it
    /// builds can be differentiated again. The rule receives the context, the output value and
    /// the output gradient. It may run twice (recorded, then plain), hence `Fn`.
    ///
    /// ```
    /// use backprop_core::{grad_bp, hvp, BVar};
    ///
    /// /// softplus(x) = ln(1 + eˣ), with d/dx = logistic(x) = 1 / (1 + e⁻ˣ).
    /// fn softplus<'t>(x: BVar<'t, f64>) -> BVar<'t, f64> {
    ///     let id = x.id();
    ///     let y = x.value().exp().ln_1p();
    ///     x.tape().record_rule(y, x.requires_grad(), move |cx, _y, dy| {
    ///         let x = cx.value(id);
    ///         cx.add(id, dy * x.logistic());
    ///     })
    /// }
    ///
    /// assert!((grad_bp(softplus, &0.0) - 0.5).abs() < 1e-15);
    /// // The second derivative, logistic'(0) = 1/4, from the same rule.
    /// let (_, _, h) = hvp(softplus, &0.0, &1.0);
    /// assert!((h - 0.25).abs() < 1e-15);
    /// ```
    pub fn record_rule<T, F>(&'t self, value: T, requires_grad: bool, rule: F) -> BVar<'t, T>
    where
        T: Backprop,
        F: for<'p, 'v> Fn(&mut Pull<'p, 'v>, Val<'v, T>, Val<'v, T>) + 'static,
    {
        let value = self.alloc(value);
        let mut rule = Some(rule);
        let index = self.push_node(value, requires_grad, &mut || match rule.take() {
            Some(rule) if requires_grad => boxed_rule(rule),
            _ => Pullback::Leaf,
        });
        BVar::from_parts(self, index, value, requires_grad)
    }

    /// Like [`record_rule`](Tape::record_rule), for an output that borrows from a value
    /// already on this tape (a projected field).
    pub(crate) fn record_ref_rule<T, F>(
        &'t self,
        value: &'t T,
        requires_grad: bool,
        rule: F,
    ) -> BVar<'t, T>
    where
        T: Backprop,
        F: for<'p, 'v> Fn(&mut Pull<'p, 'v>, Val<'v, T>, Val<'v, T>) + 'static,
    {
        let mut rule = Some(rule);
        let index = self.push_node(value, requires_grad, &mut || match rule.take() {
            Some(rule) if requires_grad => boxed_rule(rule),
            _ => Pullback::Leaf,
        });
        BVar::from_parts(self, index, value, requires_grad)
    }

    /// Whether node `index` needs a gradient.
    pub(crate) fn requires_grad_at(&self, index: usize) -> bool {
        self.nodes.borrow().requires_grad[index]
    }

    /// The variable at `index`, with the value type its node was recorded with.
    #[track_caller]
    pub(crate) fn var<T: 'static>(&'t self, index: usize) -> BVar<'t, T> {
        let nodes = self.nodes.borrow();
        let value: &'t dyn Any = nodes.values[index];
        let value = value
            .downcast_ref::<T>()
            .expect("VarId used with a tape it does not belong to");
        BVar::from_parts(self, index, value, nodes.requires_grad[index])
    }

    /// Records a gathering step: a node that runs its pullback after every node recorded later,
    /// whether or not it received a gradient itself; it is given its own index.
    /// [`Fields`](crate::Fields) uses it to assemble a struct's gradient from the gradients of
    /// its fields in one piece.
    pub(crate) fn record_gather<G>(&'t self, requires_grad: bool, gather: G) -> VarId<()>
    where
        G: Gather + 'static,
    {
        let mut gather = Some(gather);
        let index = self.push_node(&UNIT, requires_grad, &mut || match gather.take() {
            Some(gather) if requires_grad => Pullback::Gather(Box::new(gather)),
            _ => Pullback::Leaf,
        });
        VarId::new(index)
    }

    /// Runs the backward pass from `output`, seeded with `seed`, and returns the gradient of
    /// every node (`None` where none arrived). Consumes the pullbacks: a tape is
    /// differentiated once.
    pub(crate) fn backward<T: Backprop>(&self, output: VarId<T>, seed: T) -> Gradients {
        assert!(
            self.records,
            "a backward pass on a tape that only evaluates"
        );
        let mut nodes = self.nodes.borrow_mut();
        let Nodes {
            values,
            requires_grad,
            pullbacks,
            grads,
        } = &mut *nodes;
        let mut grads = std::mem::take(grads);
        // Gather steps read the gradients of fields recorded after them, up to the end.
        grads.resize_with(values.len(), || None);
        if requires_grad[output.index] {
            grads[output.index] = Some(Box::new(seed));
        }
        let mut ctx = Backward {
            values,
            requires_grad,
            grads: &mut grads,
        };
        for (index, pullback) in pullbacks.drain(..).enumerate().take(output.index + 1).rev() {
            match pullback {
                Pullback::Leaf => {}
                Pullback::Op(pullback) => {
                    if let Some(grad) = ctx.grads[index].take() {
                        let value = ctx.values[index];
                        pullback(&mut ctx, value, grad);
                    }
                }
                Pullback::Rule(rule) => {
                    if let Some(grad) = ctx.grads[index].take() {
                        let value = ctx.values[index];
                        rule.plain(&mut ctx, value, grad);
                    }
                }
                Pullback::Gather(gather) => gather.plain(&mut ctx, index),
            }
        }
        Gradients { grads }
    }

    /// Runs the backward pass from `output`, seeded with `seed`, *recording* it: every rule runs
    /// on tape variables ([`Pull`] in its recording mode), so the gradients are variables on
    /// this tape, functions of the inputs (and of the seed), that a later [`backward`]
    /// (Tape::backward) differentiates. The pullbacks stay in place for that pass. Returns the
    /// gradient variable's index of every node before `output` (`None` where none arrived).
    ///
    /// # Panics
    /// At a node recorded with [`Tape::record`] or a gathering step ([`Split`](crate::Split)):
    /// their pullbacks are first-order only.
    pub(crate) fn backward_recorded<T: Backprop>(
        &'t self,
        output: BVar<'t, T>,
        seed: BVar<'t, T>,
    ) -> Recording<'t> {
        assert!(
            self.records,
            "a backward pass on a tape that only evaluates"
        );
        let end = output.id().index + 1;
        let mut rec = Recording {
            tape: self,
            grads: vec![None; end],
        };
        if output.requires_grad() {
            rec.grads[output.id().index] = Some(seed.id().index);
        }
        for index in (0..end).rev() {
            let grad = rec.grads[index];
            // Out of the arrays while it runs: the rule records new nodes.
            let pullback = std::mem::replace(
                &mut self.nodes.borrow_mut().pullbacks[index],
                Pullback::Leaf,
            );
            match (&pullback, grad) {
                (Pullback::Rule(rule), Some(grad)) => rule.recorded(&mut rec, index, grad),
                (Pullback::Op(_), Some(_)) => panic!("{FIRST_ORDER_ONLY}"),
                (Pullback::Gather(gather), _) => gather.recorded(&mut rec, index),
                _ => {}
            }
            self.nodes.borrow_mut().pullbacks[index] = pullback;
        }
        rec
    }
}

/// The message of a second-order pass meeting a first-order-only node.
pub(crate) const FIRST_ORDER_ONLY: &str = "this operation has a first-order gradient only (it \
was recorded with `Tape::record`): record it with `Tape::record_rule` to differentiate it twice \
(hvp, jvp)";

/// A rule recorded with [`Tape::record_rule`], with its output type erased.
pub(crate) trait Rule {
    /// Runs the rule on plain values (a first-order backward pass), consuming it.
    fn plain<'v>(self: Box<Self>, ctx: &mut Backward<'v>, value: &'v dyn Any, grad: Grad);

    /// Runs the rule on tape variables: node `out` received the gradient variable `grad`.
    fn recorded<'t>(&self, rec: &mut Recording<'t>, out: usize, grad: usize);
}

/// A rule closure with its output type.
struct RuleOf<T, F> {
    rule: F,
    _output: PhantomData<fn(T)>,
}

impl<T, F> Rule for RuleOf<T, F>
where
    T: Backprop,
    F: for<'p, 'v> Fn(&mut Pull<'p, 'v>, Val<'v, T>, Val<'v, T>) + 'static,
{
    fn plain<'v>(self: Box<Self>, ctx: &mut Backward<'v>, value: &'v dyn Any, grad: Grad) {
        let (value, grad) = typed::<T>(value, grad);
        (self.rule)(&mut Pull::plain(ctx), Val::Ref(value), Val::Own(grad));
    }

    fn recorded<'t>(&self, rec: &mut Recording<'t>, out: usize, grad: usize) {
        let tape = rec.tape;
        let (value, grad) = (tape.var::<T>(out), tape.var::<T>(grad));
        (self.rule)(&mut Pull::taped(rec), Val::Var(value), Val::Var(grad));
    }
}

/// Boxes a rule. Out of line, as [`op_pullback`].
#[inline(never)]
fn boxed_rule<T, F>(rule: F) -> Pullback
where
    T: Backprop,
    F: for<'p, 'v> Fn(&mut Pull<'p, 'v>, Val<'v, T>, Val<'v, T>) + 'static,
{
    Pullback::Rule(Box::new(RuleOf {
        rule,
        _output: PhantomData,
    }))
}

/// The state of a recorded backward pass: each node's gradient, a variable on the tape.
pub(crate) struct Recording<'t> {
    pub(crate) tape: &'t Tape<'t>,
    /// The index of each node's gradient variable, for the nodes before the pass's output.
    pub(crate) grads: Vec<Option<usize>>,
}

impl<'t> Recording<'t> {
    pub(crate) fn tape(&self) -> &'t Tape<'t> {
        self.tape
    }

    /// The forward variable of `id`.
    #[track_caller]
    pub(crate) fn var<T: 'static>(&self, id: VarId<T>) -> BVar<'t, T> {
        self.tape.var(id.index)
    }

    pub(crate) fn wants<T>(&self, id: VarId<T>) -> bool {
        self.tape.requires_grad_at(id.index)
    }

    /// Adds `grad` to the gradient variable of `id`, recording the sum.
    pub(crate) fn add<T: Backprop>(&mut self, id: VarId<T>, grad: BVar<'t, T>) {
        if !self.wants(id) {
            return;
        }
        let slot = &mut self.grads[id.index];
        *slot = Some(match *slot {
            None => grad.id().index,
            Some(existing) => sum(self.tape.var::<T>(existing), grad).id().index,
        });
    }

    /// The gradient variable of `var`, or a zero constant if none arrived.
    pub(crate) fn take<T: Backprop>(&self, var: BVar<'t, T>) -> BVar<'t, T> {
        match self.grads.get(var.id().index).copied().flatten() {
            Some(index) => self.tape.var(index),
            None => self.tape.constant(var.value().zero()),
        }
    }
}

/// `a + b` for any [`Backprop`] type, recorded: how gradients add up in a recorded pass.
fn sum<'t, T: Backprop>(a: BVar<'t, T>, b: BVar<'t, T>) -> BVar<'t, T> {
    let value = a.value().clone().add(b.value().clone());
    let (ia, ib) = (a.id(), b.id());
    let requires_grad = a.requires_grad() || b.requires_grad();
    a.tape()
        .record_rule(value, requires_grad, move |cx, _, dy| {
            cx.add(ia, dy.clone());
            cx.add(ib, dy);
        })
}

/// Boxes an operation's pullback. Out of line: a forward pass that records no pullback
/// never runs this code, and it then takes no room among the code that does run.
#[inline(never)]
fn op_pullback<T, F>(pullback: F) -> Pullback
where
    T: Backprop,
    F: FnOnce(&mut Backward<'_>, &T, T) + 'static,
{
    Pullback::Op(Box::new(move |ctx, value, grad| {
        let (value, grad) = typed::<T>(value, grad);
        pullback(ctx, value, grad)
    }))
}

/// A node's value and gradient with their type.
fn typed<T: 'static>(value: &dyn Any, grad: Grad) -> (&T, T) {
    let value = value
        .downcast_ref::<T>()
        .expect("a node's value keeps its type");
    let grad = grad
        .downcast::<T>()
        .expect("a node's gradient has the type of its value");
    (value, *grad)
}

/// The gradients left on a tape after the backward pass.
pub(crate) struct Gradients {
    grads: Vec<Option<Grad>>,
}

impl Gradients {
    /// The gradient of `var`, or `zero` of its value if none arrived.
    pub(crate) fn take<T: Backprop>(&mut self, var: BVar<'_, T>) -> T {
        match self.grads.get_mut(var.id().index).and_then(Option::take) {
            Some(grad) => *grad
                .downcast::<T>()
                .expect("an input's gradient has the input's type"),
            None => var.value().zero(),
        }
    }
}

/// The context a pullback runs in: read values, test which inputs need gradients, add them.
pub struct Backward<'a> {
    values: &'a [&'a dyn Any],
    requires_grad: &'a [bool],
    grads: &'a mut [Option<Grad>],
}

impl<'a> Backward<'a> {
    /// The value of a variable on this tape. The reference outlives `&self`, so values can be
    /// held while gradients are added.
    #[track_caller]
    pub fn value<T: 'static>(&self, id: VarId<T>) -> &'a T {
        let value: &'a dyn Any = self.values[id.index];
        value
            .downcast_ref::<T>()
            .expect("VarId used with a tape it does not belong to")
    }

    /// Whether `id` needs a gradient. Constants do not; skip computing theirs.
    pub fn wants<T>(&self, id: VarId<T>) -> bool {
        self.requires_grad[id.index]
    }

    /// Adds `grad` to the gradient of `id` (nothing happens if `id` is a constant).
    #[track_caller]
    pub fn add<T: Backprop>(&mut self, id: VarId<T>, grad: T) {
        if !self.requires_grad[id.index] {
            return;
        }
        match &mut self.grads[id.index] {
            Some(existing) => existing
                .downcast_mut::<T>()
                .expect("VarId used with a tape it does not belong to")
                .add_assign(grad),
            slot @ None => *slot = Some(Box::new(grad)),
        }
    }

    /// Adds to the gradient of `id` without allocating when one already exists: `add_into`
    /// receives the existing gradient to update in place; `fresh` builds the first one. Neither
    /// runs if `id` is a constant.
    #[track_caller]
    pub fn accumulate<T: Backprop>(
        &mut self,
        id: VarId<T>,
        add_into: impl FnOnce(&mut T),
        fresh: impl FnOnce() -> T,
    ) {
        self.accumulate_with(id, (), |g, ()| add_into(g), |()| fresh());
    }

    /// [`accumulate`](Backward::accumulate) with a value that whichever closure runs takes by
    /// value (a cotangent to move into place, say), so neither has to clone it.
    ///
    /// ```
    /// use backprop_core::{grad_bp, BVar};
    ///
    /// /// `(x, x)`'s first component, by hand: its gradient is moved into the pair's.
    /// fn first<'t>(p: BVar<'t, (f64, f64)>) -> BVar<'t, f64> {
    ///     let id = p.id();
    ///     p.tape().record(p.value().0, p.requires_grad(), move |ctx, _, dy| {
    ///         ctx.accumulate_with(id, dy, |g, dy| g.0 += dy, |dy| (dy, 0.0));
    ///     })
    /// }
    /// assert_eq!(grad_bp(first, &(1.0, 2.0)), (1.0, 0.0));
    /// ```
    #[track_caller]
    pub fn accumulate_with<T: Backprop, V>(
        &mut self,
        id: VarId<T>,
        value: V,
        add_into: impl FnOnce(&mut T, V),
        fresh: impl FnOnce(V) -> T,
    ) {
        if !self.requires_grad[id.index] {
            return;
        }
        match &mut self.grads[id.index] {
            Some(existing) => add_into(
                existing
                    .downcast_mut::<T>()
                    .expect("VarId used with a tape it does not belong to"),
                value,
            ),
            slot @ None => *slot = Some(Box::new(fresh(value))),
        }
    }

    /// Removes and returns the gradient that has arrived at `id`, if any.
    pub(crate) fn take_grad<T: 'static>(&mut self, id: VarId<T>) -> Option<T> {
        self.grads[id.index].take().map(|grad| {
            *grad
                .downcast::<T>()
                .expect("a node's gradient has the type of its value")
        })
    }

    /// Whether any node in `range` holds a gradient.
    pub(crate) fn any_grad(&self, range: std::ops::Range<usize>) -> bool {
        self.grads[range].iter().any(Option::is_some)
    }
}
