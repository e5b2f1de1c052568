//! Where a tape keeps the values it owns: one store per value type, reused by the next tape of
//! the thread.
//!
//! A value recorded on a tape is read by reference (`&'t T`) for the tape's whole life, while
//! later values keep arriving, so a stored value must never move. [`Values`] keeps the values of
//! each type in chunks, `Vec`s that are filled up to their capacity and never grown, and starts a
//! new chunk, twice as large, when one is full. When a differentiation is over, [`Values::clear`]
//! drops the values and keeps the chunks, and the runner hands the store to the next tape of its
//! thread ([`Values::take`], [`Values::give_back`]): a program that differentiates in a loop
//! allocates its value storage once, not a chunk and a box per value type on every call.
//!
//! Values of types that ask for it ([`Backprop::RECYCLE`]: vectors, matrices) are not dropped at
//! once: they stay as *spares* until the next tape of the thread ends, and an operation that
//! builds a new value of the same type can overwrite a spare instead of allocating
//! ([`Tape::recycled`](crate::Tape::recycled)). Element-wise functions, `konst` and affine
//! layers do, so a forward pass run in a loop reuses the last call's storage for those
//! intermediates. Spares the next tape does not use are dropped when it ends, so a thread holds
//! one finished tape's values (two while a tape runs nested inside another), until
//! [`release_storage`](crate::release_storage) or thread exit.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::Backprop;

/// The values of one type, in chunks whose buffers never move (see the module docs).
struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    /// The chunk being filled; every chunk before it is full.
    current: usize,
    /// Values of the previous tape, to be overwritten rather than allocated afresh: the chunks
    /// it filled, each reversed in place, so that popping from them hands the values out in the
    /// order they were made.
    spares: Vec<Vec<T>>,
    /// The spare chunk values are taken from; the ones before it are used up.
    spare_chunk: usize,
}

/// Values of a chunk type this module has not seen fill a first chunk of about this many bytes.
const FIRST_CHUNK_BYTES: usize = 1024;

impl<T> Chunks<T> {
    fn new() -> Self {
        Chunks {
            chunks: Vec::new(),
            current: 0,
            spares: Vec::new(),
            spare_chunk: 0,
        }
    }

    /// Stores `value` and returns where it lies. The pointer stays valid, and the value
    /// unchanged, until [`clear`](Chunks::clear) or drop: no chunk is ever pushed to past its
    /// capacity (so its buffer is never reallocated), and nothing is removed before then.
    #[inline]
    fn push(&mut self, value: T) -> *const T {
        if let Some(chunk) = self.chunks.get_mut(self.current) {
            if chunk.len() < chunk.capacity() {
                let index = chunk.len();
                chunk.push(value);
                // `as_ptr` creates no reference to the elements, so it leaves the references
                // already handed out to them valid.
                return chunk.as_ptr().wrapping_add(index);
            }
        }
        self.push_to_next_chunk(value)
    }

    /// [`push`](Chunks::push) when the current chunk is full (or there is none yet): moves on
    /// to the next chunk kept from an earlier tape, or starts one twice as large as the last.
    #[cold]
    fn push_to_next_chunk(&mut self, value: T) -> *const T {
        if self.current < self.chunks.len() {
            self.current += 1;
        }
        if self.current == self.chunks.len() {
            let capacity = match self.chunks.last() {
                Some(last) => 2 * last.capacity(),
                None => (FIRST_CHUNK_BYTES / size_of::<T>().max(1)).max(4),
            };
            self.chunks.push(Vec::with_capacity(capacity));
        }
        self.push(value)
    }

    /// Empties the chunks, keeping their capacity. With `keep_spares`, the values become the
    /// spares (the previous spares, unused, are dropped); otherwise they are dropped.
    ///
    /// Spares stay where they were stored: the filled chunks are reversed in place and become
    /// the spare chunks, and the emptied spare chunks become the chunks to fill next.
    ///
    /// Says whether there was any value to clear.
    fn clear(&mut self, keep_spares: bool) -> bool {
        for chunk in &mut self.spares {
            chunk.clear();
        }
        // Chunks past the current one hold nothing; the current one is empty only if all are.
        let used = (self.current + 1).min(self.chunks.len());
        let held = self.chunks.first().is_some_and(|chunk| !chunk.is_empty());
        for chunk in &mut self.chunks[..used] {
            if keep_spares {
                // Handed out from the end: reversed, they come out in the order they were made,
                // so a value whose shape depends on the data (the dynamically sized matrices)
                // meets a spare of its own shape when the computation repeats.
                chunk.reverse();
            } else {
                chunk.clear();
            }
        }
        if keep_spares {
            std::mem::swap(&mut self.chunks, &mut self.spares);
        }
        self.current = 0;
        self.spare_chunk = 0;
        held
    }

    /// The next spare, in the order the previous tape made them.
    fn spare(&mut self) -> Option<T> {
        while let Some(chunk) = self.spares.get_mut(self.spare_chunk) {
            if let Some(value) = chunk.pop() {
                return Some(value);
            }
            self.spare_chunk += 1;
        }
        None
    }
}

/// Empties the store `store`, a `Chunks<T>`, keeping its capacity and, if `T` asks for it,
/// its values as spares; says whether it stays live: whether it held values (which are now its
/// spares, if `T` asks for them; and a loop's next tape will likely store values of `T` again,
/// and finds the store without the hash table).
fn clear_store<T: Backprop>(store: &mut dyn Any) -> bool {
    match store.downcast_mut::<Chunks<T>>() {
        Some(chunks) => chunks.clear(T::RECYCLE),
        None => false,
    }
}

/// An empty store for values of type `T`.
fn new_store<T: Backprop>() -> Store {
    Store {
        chunks: Box::new(Chunks::<T>::new()),
        clear: clear_store::<T>,
        live: false,
    }
}

/// The values owned by one tape, one store per value type.
pub(crate) struct Values {
    /// Boxed: `Values` moves between the thread's slot and each tape, as a pointer.
    stores: Box<RefCell<Stores>>,
}

/// A type-erased `Chunks<T>`, the function that clears it, and whether it is in `Stores::live`.
struct Store {
    chunks: Box<dyn Any>,
    clear: fn(&mut dyn Any) -> bool,
    live: bool,
}

/// Every store this thread has made (a program meets its value types again and again), and
/// which of them hold anything, so that clearing costs what the tape used, not what the thread
/// has seen.
#[derive(Default)]
struct Stores {
    /// The store of each type.
    index_of: HashMap<TypeId, usize, BuildHasherDefault<TypeIdHasher>>,
    /// A cache in front of `index_of`: the type and store last found in each slot, the slot
    /// picked by the type's hash. Every value stored looks its store up, so the common case
    /// is a load and a compare, not a hash-table probe.
    recent: [Option<(TypeId, usize)>; RECENT],
    all: Vec<Store>,
    /// The stores used since the last `clear` or the one before, or holding spares: what
    /// `clear` goes through. A store drops out once a whole tape has left it unused.
    live: Vec<usize>,
}

/// Slots of `Stores::recent`: more than the value types of a typical tape.
const RECENT: usize = 16;

impl Stores {
    /// The index of the store of type `id`, made by `new` if there is none yet, and listed as
    /// live.
    #[inline]
    fn index(&mut self, id: TypeId, new: fn() -> Store) -> usize {
        let slot = BuildHasherDefault::<TypeIdHasher>::default().hash_one(id) as usize % RECENT;
        match self.recent[slot] {
            Some((recent, index)) if recent == id && self.all[index].live => index,
            _ => self.find(id, new, slot),
        }
    }

    /// [`index`](Stores::index) through the hash table, remembered in slot `slot` of `recent`.
    /// Not generic, so one copy of it serves every type.
    #[inline(never)]
    fn find(&mut self, id: TypeId, new: fn() -> Store, slot: usize) -> usize {
        let index = *self.index_of.entry(id).or_insert_with(|| {
            self.all.push(new());
            self.all.len() - 1
        });
        let store = &mut self.all[index];
        if !store.live {
            store.live = true;
            self.live.push(index);
        }
        self.recent[slot] = Some((id, index));
        index
    }
}

/// A `TypeId` is already a hash: keep the bits it writes.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 ^= v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

thread_local! {
    /// The store of the last finished tape of this thread, cleared.
    static SPARE: RefCell<Option<Values>> = const { RefCell::new(None) };
}

impl Values {
    /// The cleared store of the last finished tape of this thread, or a new one.
    pub(crate) fn take() -> Self {
        SPARE
            .try_with(|spare| spare.borrow_mut().take())
            .ok()
            .flatten()
            .unwrap_or_else(|| Values {
                stores: Box::default(),
            })
    }

    /// Drops every value stored here (or keeps it as a spare), keeping the storage.
    pub(crate) fn clear(&mut self) {
        let stores = self.stores.get_mut();
        let mut live = std::mem::take(&mut stores.live);
        live.retain(|&index| {
            let store = &mut stores.all[index];
            store.live = (store.clear)(&mut *store.chunks);
            store.live
        });
        stores.live = live;
    }

    /// Hands this store, which must be cleared, to the next tape of this thread.
    /// The store it replaces (a nested tape's) is dropped after the slot is released, so a
    /// value's `Drop` may itself differentiate.
    pub(crate) fn give_back(self) {
        let replaced = SPARE.try_with(|spare| spare.replace(Some(self)));
        drop(replaced);
    }

    /// Drops the store kept for the next tape of this thread, with its spares.
    pub(crate) fn release() {
        let kept = SPARE.try_with(RefCell::take);
        drop(kept);
    }

    /// The store of values of type `T`, made if there is none yet.
    #[inline]
    fn chunks<T: Backprop>(stores: &mut Stores) -> &mut Chunks<T> {
        let index = stores.index(TypeId::of::<T>(), new_store::<T>);
        let chunks: &mut dyn Any = &mut *stores.all[index].chunks;
        debug_assert!(chunks.is::<Chunks<T>>());
        // SAFETY: the store at `index` holds a `Chunks<T>`, so the cast pointer points at a
        // live, initialised `Chunks<T>`, uniquely borrowed for the lifetime of `stores`:
        // - `Stores::index` returns the index `index_of` maps `TypeId::of::<T>()` to, directly
        //   or through `recent`, whose slots only pair a type with the index `index_of` gave it;
        // - `index_of` gets an entry for a type only in `Stores::find`, which pushes the store
        //   made by the `new` passed with that type, here `new_store::<T>`, a `Chunks<T>`;
        // - stores are never removed from `all` nor replaced, so the index keeps its store.
        // This is `downcast_mut` without the call through the vtable for the type's id, on
        // every value stored; the debug assertion checks the same in every test build, and
        // every test that stores a value goes through here (a unit test below stores 40 types).
        #[allow(unsafe_code)]
        unsafe {
            &mut *(chunks as *mut dyn Any).cast::<Chunks<T>>()
        }
    }

    /// A value of type `T` left by the previous tape of this thread, if one is spare (see the
    /// module docs); always `None` for types that do not ask for it ([`Backprop::RECYCLE`]).
    #[inline(never)]
    pub(crate) fn spare<T: Backprop>(&self) -> Option<T> {
        if !T::RECYCLE {
            return None;
        }
        Self::chunks::<T>(&mut self.stores.borrow_mut()).spare()
    }

    /// Stores `value` for as long as `self` is borrowed.
    #[inline(never)]
    pub(crate) fn alloc<T: Backprop>(&self, value: T) -> &T {
        let value = Self::chunks::<T>(&mut self.stores.borrow_mut()).push(value);
        // SAFETY: `value` points at an initialised `T` inside a chunk's heap buffer
        // (`Chunks::push` just wrote it there, at an index below the chunk's length). The
        // reference lives as long as the borrow of `self`, and for that long the value neither
        // moves nor changes nor is dropped:
        // - a chunk is only pushed to below its capacity, so its buffer is never reallocated;
        //   moving the chunk's `Vec` (when the list of chunks or of stores grows, or when
        //   `clear` swaps the chunks with the spare chunks) moves its header, not its buffer;
        //   and later pushes write other slots, through `Vec::push`, which creates no
        //   reference to the existing elements;
        // - values leave the chunks being filled only through `clear` and drop, which need
        //   `&mut self` or ownership, so the borrow checker rules both out while this `&self`
        //   borrow lives; `spare` pops values only from the spare chunks, which `clear` filled
        //   with an earlier tape's values and which are not pushed to before a later `clear`
        //   makes them the chunks to fill again;
        // - no `&mut T` to a stored value is created while `self` is borrowed (`clear` reverses
        //   chunks through `&mut self`).
        // `Values` is neither `Send` nor `Sync` (it holds a `RefCell` and boxed stores that are
        // not `Send`), so no other thread can reach the chunks. Every test that records a value
        // on a tape runs through here; the tests below cross chunk boundaries, mix types, and
        // reuse a cleared store.
        #[allow(unsafe_code)]
        unsafe {
            &*value
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::Values;
    use crate::Backprop;

    /// Counted through its `Rc`; asks to be recycled.
    #[derive(Clone)]
    struct Held(Rc<()>, [usize; 7]);

    /// Owns storage but does not ask to be recycled.
    #[derive(Clone, Debug, PartialEq)]
    struct Label(String);

    /// `Backprop` for a stored value that is never differentiated: only `RECYCLE` matters.
    macro_rules! stored {
        ($t:ty, $recycle:expr) => {
            impl Backprop for $t {
                fn zero(&self) -> Self {
                    self.clone()
                }
                fn add(self, _: Self) -> Self {
                    self
                }
                fn one(&self) -> Self {
                    self.clone()
                }
                const RECYCLE: bool = $recycle;
            }
        };
    }
    stored!(Held, true);
    stored!(Label, false);

    #[test]
    fn values_stay_put_across_chunks_types_and_reuse() {
        const TAKEN: usize = 40;
        let counter = Rc::new(());
        for round in 0..3 {
            let mut values = Values::take();
            {
                // The previous round's values of a type that asks for it are spare, whole, and
                // handed out in the order they were made, across chunks (the first chunk holds
                // 16); the others were dropped.
                if round > 0 {
                    for i in 0..TAKEN {
                        let Held(rc, a) = values.spare::<Held>().expect("spares kept");
                        assert!(Rc::ptr_eq(&rc, &counter) && a == [i; 7], "spare {i}: {a:?}");
                    }
                }
                assert!(values.spare::<Label>().is_none());
                assert_eq!(values.spare::<f64>(), None);
                let mut labels = Vec::new();
                let mut floats = Vec::new();
                let mut held = Vec::new();
                // Many chunks of each type, the types interleaved so the last-store cache misses.
                for i in 0..2000 {
                    labels.push(values.alloc(Label(format!("{round}:{i}"))));
                    floats.push(values.alloc(i as f64 + 0.5));
                    held.push(values.alloc(Held(Rc::clone(&counter), [i; 7])));
                    values.alloc(());
                }
                for (i, ((l, f), h)) in labels.iter().zip(&floats).zip(&held).enumerate() {
                    assert_eq!(l.0, format!("{round}:{i}"));
                    assert_eq!(**f, i as f64 + 0.5);
                    assert_eq!(h.1, [i; 7]);
                }
                // This round's values, and the previous round's spares not taken.
                let spares = if round > 0 { 2000 - TAKEN } else { 0 };
                assert_eq!(Rc::strong_count(&counter), 1 + 2000 + spares);
            }
            values.clear();
            // Clearing drops the unused spares and keeps this round's values as the new ones.
            assert_eq!(Rc::strong_count(&counter), 1 + 2000);
            values.give_back();
        }
        // A tape that stores nothing leaves no spares behind.
        let mut values = Values::take();
        values.clear();
        assert_eq!(Rc::strong_count(&counter), 1);
        values.give_back();
    }

    /// More value types than `Stores::recent` has slots, so that types share slots: each value
    /// still lands in its own type's store, and a store emptied by `clear` is found again.
    #[test]
    fn many_types_share_the_recent_slots() {
        /// Stores `[i; N]` for every `N` listed, and returns the sums of what was stored.
        macro_rules! each_size {
            ($values:expr, $i:expr, $($n:literal)*) => {
                [$($values.alloc([$i as f64; $n]).iter().sum::<f64>()),*]
            };
        }
        for round in 0..3 {
            let mut values = Values::take();
            for i in 0..50 {
                let sums = each_size!(values, i + round, 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16
                    17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40);
                for (n, sum) in (1..).zip(sums) {
                    assert_eq!(sum, f64::from(n) * f64::from(i + round));
                }
            }
            // Every type got its own store, and every store is listed for clearing.
            assert_eq!(values.stores.borrow().all.len(), 40);
            assert_eq!(values.stores.borrow().live.len(), 40);
            values.clear();
            // Listed until a tape leaves them unused.
            assert_eq!(values.stores.borrow().live.len(), 40);
            values.give_back();
        }
        let mut values = Values::take();
        values.clear();
        assert!(values.stores.borrow().live.is_empty());
        values.give_back();
    }
}
