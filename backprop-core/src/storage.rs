//! What a tape keeps, in one per-thread storage that the next tape of the thread reuses.
//!
//! A tape needs two kinds of memory: the values it owns ([`Values`]: an arena, since a value is
//! read by reference, `&'t T`, for the tape's whole life while later values keep arriving, so it
//! must never move) and its node arrays ([`Nodes`]: each node's value, whether it needs a
//! gradient, its pullback, and the gradients of the backward pass). Both are one [`Storage`]. A
//! runner takes the thread's storage when it starts a tape ([`Storage::take`]) and gives it back,
//! emptied by one [`reset`](Storage::reset), when the tape is done ([`Storage::give_back`]): a
//! program that differentiates in a loop allocates this memory once, instead of growing (and, for
//! long tapes, `mmap`ping and faulting in) megabytes on every call. A tape nested inside another
//! (a differentiation inside a pullback, say) finds the slot empty and starts its own.
//!
//! The arena is [`bumpalo`]'s: storing a value is a bump of a pointer and a copy, whatever its
//! type. A value that needs dropping also gets an entry (its address and its drop function) in a
//! list that the reset runs, since the arena itself never drops what it holds.
//!
//! [`release_storage`](crate::release_storage) frees the thread's storage; it is also freed at
//! thread exit.

use std::any::Any;
use std::cell::RefCell;
use std::mem::{self, ManuallyDrop};
use std::ptr::NonNull;

use bumpalo::Bump;

use crate::tape::{Grad, Pullback};

/// The values owned by one tape.
#[derive(Default)]
pub(crate) struct Values {
    arena: Bump,
    /// The values in `arena` that need dropping.
    owned: RefCell<Vec<Owned>>,
}

/// A stored value that must be dropped: where it is and how.
struct Owned {
    ptr: NonNull<u8>,
    drop: unsafe fn(NonNull<u8>),
}

/// Drops the `T` at `ptr`: the drop function of an [`Owned`] entry.
///
/// # Safety
/// `ptr` points at an initialised `T` that nothing reads or drops afterwards.
#[allow(unsafe_code)]
unsafe fn drop_value<T>(ptr: NonNull<u8>) {
    // SAFETY: the caller's contract.
    unsafe { ptr.cast::<T>().drop_in_place() }
}

impl Values {
    /// Stores `value` for as long as `self` is borrowed.
    #[inline]
    pub(crate) fn alloc<T: 'static>(&self, value: T) -> &T {
        let stored: &mut T = self.arena.alloc(value);
        if mem::needs_drop::<T>() {
            self.owned.borrow_mut().push(Owned {
                ptr: NonNull::from(&mut *stored).cast(),
                drop: drop_value::<T>,
            });
        }
        stored
    }

    /// Drops every value stored here and hands the arena out again from its start, keeping its
    /// memory. If a drop panics, the values after it are leaked, never dropped twice: they have
    /// left the list.
    fn clear(&mut self) {
        self.drop_values();
        self.arena.reset();
    }

    /// Drops every value stored here (see [`clear`](Values::clear)).
    fn drop_values(&mut self) {
        for owned in self.owned.get_mut().drain(..) {
            // SAFETY: every entry was made by `alloc` for a value of the type its drop function
            // drops, just written into the arena, which frees or reuses no memory before a
            // `reset` or its own drop, both after this (in `clear`, and after `Drop for Values`).
            // This needs `&mut self`, so no `&T` handed out by `alloc` is alive: they borrow
            // `self`. The entry leaves the list (`drain`) before
            // the value is dropped, so no value is dropped twice, even if a drop panics.
            #[allow(unsafe_code)]
            unsafe {
                (owned.drop)(owned.ptr);
            }
        }
    }
}

impl Drop for Values {
    /// Drops the values still stored, as when a panic unwinds through a runner: the arena
    /// frees its memory after this, without dropping what it holds.
    fn drop(&mut self) {
        self.drop_values();
    }
}

/// A tape's node arrays, stored column-wise, with the lifetime `'t` of the values they point at.
#[derive(Default)]
pub(crate) struct Nodes<'t> {
    pub(crate) values: Vec<&'t dyn Any>,
    pub(crate) requires_grad: Vec<bool>,
    pub(crate) pullbacks: Vec<Pullback>,
    /// The gradients of the backward pass, one slot per node once it runs.
    pub(crate) grads: Vec<Option<Grad>>,
}

impl<'t> Nodes<'t> {
    /// Empties every array, keeping its capacity, and frees them of the lifetime `'t`, so they
    /// can wait for the next tape. Clearing runs the pullbacks' and gradients' `Drop`s.
    pub(crate) fn cleared(mut self) -> Nodes<'static> {
        self.values.clear();
        self.requires_grad.clear();
        self.pullbacks.clear();
        self.grads.clear();
        let mut values = ManuallyDrop::new(self.values);
        let (ptr, capacity) = (values.as_mut_ptr(), values.capacity());
        // SAFETY: `ptr` and `capacity` are those of a vector of `&'t dyn Any` that is never used
        // or dropped again (`ManuallyDrop`), so its allocation passes to the new vector, once;
        // `&'static dyn Any` has the same size and alignment (the types differ only in a
        // lifetime), so the allocation's layout is the one `from_raw_parts` needs; the length is
        // 0, so no element is read or converted. `clears_node_arrays_to_static` runs this under
        // Miri.
        #[allow(unsafe_code)]
        let values = unsafe { Vec::from_raw_parts(ptr.cast::<&'static dyn Any>(), 0, capacity) };
        Nodes {
            values,
            requires_grad: self.requires_grad,
            pullbacks: self.pullbacks,
            grads: self.grads,
        }
    }
}

/// Everything a tape keeps: its values and its node arrays.
#[derive(Default)]
pub(crate) struct Storage {
    pub(crate) values: Values,
    /// The node arrays while no tape has them (a tape takes them with [`take_nodes`](Storage::take_nodes)).
    nodes: Nodes<'static>,
}

thread_local! {
    /// The storage of the last finished tape of this thread, reset.
    static SLOT: RefCell<Option<Storage>> = const { RefCell::new(None) };
}

impl Storage {
    /// The reset storage of the last finished tape of this thread, or a new one.
    pub(crate) fn take() -> Self {
        SLOT.try_with(|slot| slot.borrow_mut().take())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The node arrays, empty, for a tape whose values live as long as `'t`.
    pub(crate) fn take_nodes<'t>(&mut self) -> Nodes<'t> {
        mem::take(&mut self.nodes)
    }

    /// Empties everything, keeping the memory: drops the values, and keeps the node arrays a
    /// tape hands back ([`Nodes::cleared`]).
    pub(crate) fn reset(&mut self, nodes: Nodes<'static>) {
        self.nodes = nodes;
        self.values.clear();
    }

    /// Hands this storage, reset, to the next tape of this thread. The storage it replaces (a
    /// nested tape's) is dropped after the slot is released, so a value's `Drop` may itself
    /// differentiate.
    pub(crate) fn give_back(self) {
        let replaced = SLOT.try_with(|slot| slot.replace(Some(self)));
        drop(replaced);
    }

    /// Drops the storage kept for the next tape of this thread.
    pub(crate) fn release() {
        let kept = SLOT.try_with(RefCell::take);
        drop(kept);
    }
}

#[cfg(test)]
mod tests {
    use std::any::Any;
    use std::cell::Cell;
    use std::rc::Rc;

    use super::{Nodes, Storage, Values};

    /// Counts its drops.
    struct Token(Rc<Cell<usize>>);

    impl Drop for Token {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    /// Aligned past any word.
    #[derive(Clone, Copy, Debug, PartialEq)]
    #[repr(align(64))]
    struct Wide(u8);

    /// No size, counts its drops.
    struct Zst(Rc<Cell<usize>>);

    impl Drop for Zst {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn values_stay_put_across_chunks_types_and_resets() {
        let drops = Rc::new(Cell::new(0));
        let zsts = Rc::new(Cell::new(0));
        // Fewer under Miri, which interprets every step; still many chunks' worth.
        const N: usize = if cfg!(miri) { 300 } else { 2000 };
        let mut values = Values::default();
        for round in 0..3 {
            let mut labels = Vec::new();
            let mut floats = Vec::new();
            let mut wide = Vec::new();
            // Many chunks' worth, the types interleaved, of every size and alignment.
            for i in 0..N {
                labels.push(values.alloc(format!("{round}:{i}")));
                floats.push(values.alloc(i as f64 + 0.5));
                wide.push(values.alloc(Wide(i as u8)));
                values.alloc(Token(Rc::clone(&drops)));
                values.alloc(Zst(Rc::clone(&zsts)));
                values.alloc(());
                values.alloc(i as u8);
            }
            for (i, ((l, f), w)) in labels.iter().zip(&floats).zip(&wide).enumerate() {
                assert_eq!(**l, format!("{round}:{i}"));
                assert_eq!(**f, i as f64 + 0.5);
                assert_eq!(**w, Wide(i as u8));
                assert_eq!(std::ptr::from_ref(*w).addr() % 64, 0, "aligned");
            }
            assert_eq!(drops.get(), N * round);
            values.clear();
            assert_eq!(drops.get(), N * (round + 1), "each dropped once");
            assert_eq!(zsts.get(), N * (round + 1), "zero-sized ones too");
        }
    }

    /// A panicking `Drop` leaks the values after it; it never drops one twice, and the store
    /// stays usable. (The leak is deliberate: run under Miri with `-Zmiri-ignore-leaks`.)
    #[test]
    fn a_panicking_drop_leaks_rather_than_drops_twice() {
        struct Bomb(Rc<Cell<usize>>, bool);
        impl Drop for Bomb {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
                assert!(!self.1, "boom");
            }
        }
        let drops = Rc::new(Cell::new(0));
        let mut values = Values::default();
        values.alloc(Bomb(Rc::clone(&drops), false));
        values.alloc(Bomb(Rc::clone(&drops), true));
        values.alloc(Bomb(Rc::clone(&drops), false));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| values.clear()));
        assert!(result.is_err());
        assert_eq!(drops.get(), 2, "the third value leaked");
        values.alloc(Bomb(Rc::clone(&drops), false));
        values.clear();
        assert_eq!(drops.get(), 3);
    }

    /// The node arrays come back empty, with their capacity, free of the tape's lifetime.
    #[test]
    fn clears_node_arrays_to_static() {
        let mut storage = Storage::default();
        let local = vec![1.0f64, 2.0, 3.0];
        {
            let mut nodes: Nodes<'_> = storage.take_nodes();
            for x in &local {
                nodes.values.push(x as &dyn Any);
                nodes.requires_grad.push(true);
            }
            let capacity = nodes.values.capacity();
            storage.reset(nodes.cleared());
            assert!(storage.nodes.values.is_empty());
            assert_eq!(storage.nodes.values.capacity(), capacity);
        }
        drop(local);
        let nodes: Nodes<'_> = storage.take_nodes();
        assert!(nodes.values.capacity() >= 3 && nodes.requires_grad.capacity() >= 3);
    }

    /// A loop of tapes finds the storage the last one left: the same memory, reset.
    #[test]
    fn the_next_tape_of_the_thread_reuses_the_storage() {
        Storage::release();
        let drops = Rc::new(Cell::new(0));
        let mut addresses = Vec::new();
        for _ in 0..3 {
            let mut storage = Storage::take();
            let nodes = storage.take_nodes();
            addresses.push(std::ptr::from_ref(storage.values.alloc(1.5f64)).addr());
            storage.values.alloc(Token(Rc::clone(&drops)));
            storage.reset(nodes.cleared());
            storage.give_back();
        }
        assert_eq!(drops.get(), 3);
        assert_eq!(addresses[1], addresses[2]);
        Storage::release();
    }
}
