//! Where a tape keeps the values it owns: an arena, reused by the next tape of the thread.
//!
//! A value recorded on a tape is read by reference (`&'t T`) for the tape's whole life, while
//! later values keep arriving, so a stored value must never move. [`Values`] places every value,
//! whatever its type, in an [`Arena`]: blocks of raw memory that are filled front to back and
//! never grown, a new block twice as large starting when one is full. Storing a value is a bump
//! of an offset and a copy, with no per-type lookup; a value that needs dropping also gets an
//! entry (its address and its drop function) in a list that [`Values::clear`] runs when the
//! differentiation is over. The blocks stay, and the runner hands them to the next tape of its
//! thread ([`Values::take`], [`Values::give_back`]): a program that differentiates in a loop
//! allocates its value storage once.
//!
//! Values of types that ask for it ([`Backprop::RECYCLE`]: vectors, matrices) are not dropped at
//! once: they stay as *spares* until the next tape of the thread ends, and an operation that
//! builds a new value of the same type can overwrite a spare instead of allocating
//! ([`Tape::recycled`](crate::Tape::recycled)). Element-wise functions, `konst` and affine
//! layers do, so a forward pass run in a loop reuses the last call's storage for those
//! intermediates. For this, `Values` has two arenas: the one being filled, and the one holding
//! the previous tape's spares, which is filled again only once those are taken or dropped.
//! Spares the next tape does not use are dropped when it ends, so a thread holds one finished
//! tape's values (two while a tape runs nested inside another), until
//! [`release_storage`](crate::release_storage) or thread exit.
//!
//! Spares are handed out in the order they were made: a computation that repeats gets back the
//! values of its previous run one by one, each found at a cursor in the list of spares, where
//! the last one taken was. A request the cursor does not meet looks a few entries further on
//! ([`SPARE_WINDOW`]), so a spare left unused (a constant made by the previous run, say) does not
//! block the ones after it; beyond that the operation allocates.

use std::alloc::{self, Layout};
use std::any::TypeId;
use std::cell::RefCell;
use std::mem;
use std::ptr::NonNull;

use crate::Backprop;

/// Size of an arena's first block; each later one is twice the last.
const FIRST_BLOCK_BYTES: usize = 4096;

/// Alignment of every block (a value that needs more gets a block of its own alignment).
const BLOCK_ALIGN: usize = 16;

/// How far past the cursor a request for a spare looks (see the module docs).
const SPARE_WINDOW: usize = 32;

/// One block of an [`Arena`]: raw memory, allocated once and never moved or grown.
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl Block {
    /// A block of at least `size` bytes aligned to `align`.
    ///
    /// # Panics
    /// If the size overflows `isize` (no value could need it).
    fn new(size: usize, align: usize) -> Self {
        let layout = Layout::from_size_align(size.max(1), align.max(BLOCK_ALIGN))
            .expect("a tape's value store grew past isize::MAX bytes");
        // SAFETY: `layout` has a non-zero size.
        #[allow(unsafe_code)]
        let ptr = unsafe { alloc::alloc(layout) };
        let ptr = NonNull::new(ptr).unwrap_or_else(|| alloc::handle_alloc_error(layout));
        Block { ptr, layout }
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        // SAFETY: `ptr` was allocated by `alloc::alloc` with `layout` (`Block::new`) and is
        // freed only here, once.
        #[allow(unsafe_code)]
        unsafe {
            alloc::dealloc(self.ptr.as_ptr(), self.layout);
        }
    }
}

/// Memory for values of any type, handed out front to back, block after block. It knows
/// nothing of what it holds: [`Values`] drops the values before the arena is reset or dropped.
struct Arena {
    blocks: Vec<Block>,
    /// How many blocks have been started: every one before the last started is full (the last
    /// started is the current one), every one after it unused.
    started: usize,
    /// Where the next value goes, in the current block (dangling when none is started). Always
    /// a multiple of [`WORD`] from the block's start: every size handed out is rounded up to it.
    next: NonNull<u8>,
    /// Bytes from `next` to the end of the current block.
    room: usize,
}

/// Sizes are rounded up to this, so that a value aligned to it or less needs no padding.
const WORD: usize = 8;

impl Default for Arena {
    fn default() -> Self {
        Arena {
            blocks: Vec::new(),
            started: 0,
            next: NonNull::dangling(),
            room: 0,
        }
    }
}

impl Arena {
    /// Room for one value of `layout` (non-zero size), valid for reads and writes of it until
    /// the arena is reset or dropped: no byte of it is handed out again before then.
    #[inline]
    fn place(&mut self, layout: Layout) -> NonNull<u8> {
        // `Layout` keeps sizes below `isize::MAX`, so rounding up cannot overflow.
        let size = layout.size().next_multiple_of(WORD);
        if layout.align() <= WORD && size <= self.room {
            let ptr = self.next;
            // SAFETY: `size ≤ room`, the bytes from `next` to the end of the current block,
            // so the offset stays inside the block's allocation.
            #[allow(unsafe_code)]
            let next = unsafe { ptr.add(size) };
            self.next = next;
            self.room -= size;
            return ptr;
        }
        self.place_padded(layout)
    }

    /// [`place`](Arena::place) for a value aligned past [`WORD`], or when the current block is
    /// full: pads up to the alignment, moving on to the next block kept from an earlier tape,
    /// or to a new one twice as large as the last (and large enough), when the value does not
    /// fit.
    #[cold]
    #[inline(never)]
    fn place_padded(&mut self, layout: Layout) -> NonNull<u8> {
        let size = layout.size().next_multiple_of(WORD);
        loop {
            let pad = self.next.as_ptr().addr().wrapping_neg() & (layout.align() - 1);
            let needed = pad.saturating_add(size);
            if needed <= self.room {
                // SAFETY: `pad + size ≤ room`, the bytes from `next` to the end of the current
                // block, so both offsets stay inside the block's allocation.
                #[allow(unsafe_code)]
                let (ptr, next) = unsafe {
                    let ptr = self.next.add(pad);
                    (ptr, ptr.add(size))
                };
                self.next = next;
                self.room -= needed;
                return ptr;
            }
            if self.started == self.blocks.len() {
                let last = self.blocks.last().map_or(0, |block| block.layout.size());
                let needed = size.saturating_add(layout.align());
                let size = last.saturating_mul(2).max(FIRST_BLOCK_BYTES).max(needed);
                self.blocks.push(Block::new(size, layout.align()));
            }
            let block = &self.blocks[self.started];
            self.started += 1;
            self.next = block.ptr;
            self.room = block.layout.size();
        }
    }

    /// Hands the whole arena out again, from the start. The caller has dropped (or moved out)
    /// every value placed in it.
    fn reset(&mut self) {
        match self.blocks.first() {
            Some(block) => {
                self.started = 1;
                self.next = block.ptr;
                self.room = block.layout.size();
            }
            None => *self = Arena::default(),
        }
    }
}

/// Drops the `T` at `ptr`: the drop function of an entry in [`Values`]' lists.
///
/// # Safety
/// `ptr` points at an initialised `T` that nothing reads or drops afterwards.
#[allow(unsafe_code)]
unsafe fn drop_value<T>(ptr: NonNull<u8>) {
    // SAFETY: the caller's contract.
    unsafe { ptr.cast::<T>().drop_in_place() }
}

/// A stored value that must be dropped: where it is and how.
#[derive(Clone, Copy)]
struct Owned {
    ptr: NonNull<u8>,
    drop: unsafe fn(NonNull<u8>),
}

/// A stored value of a recycled type: a spare-to-be, then a spare. `ptr` is `None` once it has
/// been handed out.
struct Recyclable {
    ptr: Option<NonNull<u8>>,
    type_id: TypeId,
    drop: unsafe fn(NonNull<u8>),
}

/// Drops every value listed, emptying the list (keeping its capacity). If a drop panics, the
/// values after it are leaked, never dropped twice: they have left the list.
fn drop_owned(list: &mut Vec<Owned>) {
    for owned in list.drain(..) {
        // SAFETY: every entry of an `Owned` list was made by `Values::alloc` for a value it had
        // just written, with that type's drop function, and leaves the list (`drain`) before
        // the value is dropped; nothing else reads or drops a value with an `Owned` entry.
        #[allow(unsafe_code)]
        unsafe {
            (owned.drop)(owned.ptr);
        }
    }
}

/// Drops every value listed that has not been handed out, emptying the list.
fn drop_recyclables(list: &mut Vec<Recyclable>) {
    for entry in list.drain(..) {
        if let Some(ptr) = entry.ptr {
            // SAFETY: an entry with a pointer was made by `Values::alloc` for a value it had
            // just written, with that type's drop function; handing the value out
            // (`Store::take_spare`) clears the pointer, and the entry leaves the list before
            // the value is dropped, so the value is initialised and dropped once.
            #[allow(unsafe_code)]
            unsafe {
                (entry.drop)(ptr);
            }
        }
    }
}

/// The values owned by one tape.
pub(crate) struct Values {
    /// Boxed: `Values` moves between the thread's slot and each tape, as a pointer.
    store: Box<RefCell<Store>>,
}

/// What [`Values`] holds: the two arenas, and the lists of the values in them that need
/// dropping or may be recycled.
#[derive(Default)]
struct Store {
    /// Where this tape's values go.
    filling: Arena,
    /// The values in `filling` that need dropping and are not recycled.
    owned: Vec<Owned>,
    /// The values in `filling` of recycled types: the next tape's spares.
    recyclable: Vec<Recyclable>,
    /// The previous tape's arena: it holds the spares, and is not filled before the next
    /// `clear` has dropped the ones not taken.
    spare_arena: Arena,
    /// The previous tape's recycled values, in the order they were made.
    spares: Vec<Recyclable>,
    /// Where the next spare is looked for: just past the last one taken.
    cursor: usize,
}

impl Store {
    /// Takes the spare of type `type_id` at the cursor, or else the first one in the window
    /// after it (see the module docs).
    #[inline]
    fn take_spare(&mut self, type_id: TypeId) -> Option<NonNull<u8>> {
        if let Some(entry) = self.spares.get_mut(self.cursor) {
            if entry.type_id == type_id && entry.ptr.is_some() {
                self.cursor += 1;
                return entry.ptr.take();
            }
        }
        self.find_spare(type_id)
    }

    /// [`take_spare`](Store::take_spare) past the cursor. Not generic, out of line.
    #[inline(never)]
    fn find_spare(&mut self, type_id: TypeId) -> Option<NonNull<u8>> {
        let window = self.spares.iter_mut().enumerate().skip(self.cursor);
        for (index, entry) in window.take(SPARE_WINDOW) {
            if entry.type_id == type_id && entry.ptr.is_some() {
                self.cursor = index + 1;
                return entry.ptr.take();
            }
        }
        None
    }

    /// Drops every value held, spares included, and lists none.
    fn drop_values(&mut self) {
        drop_owned(&mut self.owned);
        drop_recyclables(&mut self.recyclable);
        drop_recyclables(&mut self.spares);
        self.cursor = 0;
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // The arenas are dropped after this: their values first.
        self.drop_values();
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
                store: Box::default(),
            })
    }

    /// Drops every value stored here, or keeps it as a spare (see the module docs), keeping
    /// the storage.
    pub(crate) fn clear(&mut self) {
        let store = self.store.get_mut();
        drop_owned(&mut store.owned);
        // The previous tape's spares that this tape did not take, then its arena: free again.
        drop_recyclables(&mut store.spares);
        store.spare_arena.reset();
        // This tape's recycled values become the spares, where they lie.
        mem::swap(&mut store.filling, &mut store.spare_arena);
        mem::swap(&mut store.spares, &mut store.recyclable);
        store.cursor = 0;
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

    /// A value of type `T` left by the previous tape of this thread, if one is spare (see the
    /// module docs); always `None` for types that do not ask for it ([`Backprop::RECYCLE`]).
    #[inline]
    pub(crate) fn spare<T: Backprop>(&self) -> Option<T> {
        if !T::RECYCLE {
            return None;
        }
        let ptr = self.store.borrow_mut().take_spare(TypeId::of::<T>())?;
        // SAFETY: `take_spare` returns the pointer of a spare entry whose type is `T` (the
        // entry was made by `alloc::<T>`, which recorded `TypeId::of::<T>()`), that was still
        // held: it points at an initialised `T` in the spare arena, which is not filled again
        // before the next `clear`. Taking it cleared the entry's pointer, so the value is not
        // handed out or dropped again: reading it moves it out.
        #[allow(unsafe_code)]
        Some(unsafe { ptr.cast::<T>().read() })
    }

    /// Stores `value` for as long as `self` is borrowed.
    #[inline]
    pub(crate) fn alloc<T: Backprop>(&self, value: T) -> &T {
        let mut store = self.store.borrow_mut();
        let ptr = if size_of::<T>() == 0 {
            NonNull::<T>::dangling()
        } else {
            store.filling.place(Layout::new::<T>()).cast::<T>()
        };
        // SAFETY: `ptr` is valid for a write of `T`: aligned and non-null when `T` has no size;
        // otherwise room for `Layout::new::<T>()` that the arena hands out to no one else
        // before it is reset (`Arena::place`).
        #[allow(unsafe_code)]
        unsafe {
            ptr.write(value);
        }
        if T::RECYCLE {
            store.recyclable.push(Recyclable {
                ptr: Some(ptr.cast()),
                type_id: TypeId::of::<T>(),
                drop: drop_value::<T>,
            });
        } else if mem::needs_drop::<T>() {
            store.owned.push(Owned {
                ptr: ptr.cast(),
                drop: drop_value::<T>,
            });
        }
        drop(store);
        // SAFETY: `ptr` points at the `T` just written. The reference lives as long as the
        // borrow of `self`, and for that long the value neither moves nor changes nor is
        // dropped:
        // - the arena's blocks are never reallocated, and `filling` is reset only by `clear`
        //   (after swapping it out) and by drop, which need `&mut self` or ownership, so the
        //   borrow checker rules both out while this `&self` borrow lives; values are dropped
        //   only there too;
        // - `spare` moves values out of the spare arena only, never out of `filling`;
        // - no `&mut T` to a stored value is ever made.
        // `Values` is neither `Send` nor `Sync` (it holds a `RefCell` and raw pointers), so no
        // other thread can reach the arena. Every test that records a value on a tape runs
        // through here; the tests below cross blocks, mix types and alignments, and reuse a
        // cleared store.
        #[allow(unsafe_code)]
        unsafe {
            ptr.as_ref()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::{FIRST_BLOCK_BYTES, SPARE_WINDOW, Values};
    use crate::Backprop;

    /// Counted through its `Rc`; asks to be recycled.
    #[derive(Clone)]
    struct Held(Rc<()>, [usize; 7]);

    /// Owns storage but does not ask to be recycled.
    #[derive(Clone, Debug, PartialEq)]
    struct Label(String);

    /// Aligned past the blocks' alignment; asks to be recycled.
    #[derive(Clone, Copy, Debug, PartialEq)]
    #[repr(align(64))]
    struct Wide(u8);

    /// No size, counts its drops.
    #[derive(Clone)]
    struct Token(Rc<Cell<usize>>);

    impl Drop for Token {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    /// Like `Held`, a different type of the same layout.
    #[derive(Clone)]
    struct Other(Rc<()>, [usize; 7]);

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
    stored!(Wide, true);
    stored!(Other, true);
    stored!(Token, false);

    #[test]
    fn values_stay_put_across_blocks_types_and_reuse() {
        const TAKEN: usize = 40;
        let counter = Rc::new(());
        let tokens = Rc::new(Cell::new(0));
        for round in 0..3 {
            let mut values = Values::take();
            {
                // The previous round's values of types that ask for it are spare, whole, and
                // handed out in the order they were made, across blocks, to a computation that
                // asks for them in that order; the others were dropped.
                if round > 0 {
                    for i in 0..TAKEN {
                        let Held(rc, a) = values.spare::<Held>().expect("spares kept");
                        assert!(Rc::ptr_eq(&rc, &counter) && a == [i; 7], "spare {i}: {a:?}");
                        assert_eq!(values.spare::<Wide>(), Some(Wide(i as u8)));
                    }
                }
                assert!(values.spare::<Label>().is_none());
                assert_eq!(values.spare::<f64>(), None);
                let mut labels = Vec::new();
                let mut floats = Vec::new();
                let mut held = Vec::new();
                let mut wide = Vec::new();
                // Many blocks' worth, the types interleaved, of every size and alignment.
                for i in 0..2000 {
                    labels.push(values.alloc(Label(format!("{round}:{i}"))));
                    floats.push(values.alloc(i as f64 + 0.5));
                    held.push(values.alloc(Held(Rc::clone(&counter), [i; 7])));
                    wide.push(values.alloc(Wide(i as u8)));
                    values.alloc(Token(Rc::clone(&tokens)));
                    values.alloc(());
                    values.alloc(i as u8);
                }
                for (i, (((l, f), h), w)) in
                    labels.iter().zip(&floats).zip(&held).zip(&wide).enumerate()
                {
                    assert_eq!(l.0, format!("{round}:{i}"));
                    assert_eq!(**f, i as f64 + 0.5);
                    assert_eq!(h.1, [i; 7]);
                    assert_eq!(**w, Wide(i as u8));
                    assert_eq!(std::ptr::from_ref(*w).addr() % 64, 0, "aligned");
                }
                // This round's values, and the previous round's spares not taken.
                let spares = if round > 0 { 2000 - TAKEN } else { 0 };
                assert_eq!(Rc::strong_count(&counter), 1 + 2000 + spares);
                assert!(values.store.borrow().filling.started > 1, "crossed blocks");
            }
            values.clear();
            // Clearing drops the unused spares and keeps this round's values as the new ones;
            // the zero-sized tokens were dropped, each once.
            assert_eq!(Rc::strong_count(&counter), 1 + 2000);
            assert_eq!(tokens.get(), 2000 * (round + 1));
            values.give_back();
        }
        // A tape that stores nothing leaves no spares behind.
        let mut values = Values::take();
        values.clear();
        assert_eq!(Rc::strong_count(&counter), 1);
        values.give_back();
        // Nor does releasing the thread's store leave anything.
        Values::release();
        assert_eq!(tokens.get(), 6000);
    }

    /// The storage is reused: a loop of tapes that store the same values stops allocating
    /// blocks, and the spares come back from where they were stored.
    #[test]
    fn a_repeated_tape_reuses_its_blocks_and_spares() {
        let counter = Rc::new(());
        let mut addresses = Vec::new();
        let mut block_counts = Vec::new();
        for round in 0..4 {
            let mut values = Values::take();
            let spare = values.spare::<Held>();
            assert_eq!(spare.is_some(), round > 0);
            drop(spare);
            for i in 0..3 * FIRST_BLOCK_BYTES / size_of::<Held>() {
                values.alloc(Held(Rc::clone(&counter), [i; 7]));
            }
            let first = values.alloc(1.5f64);
            addresses.push(std::ptr::from_ref(first).addr());
            let store = values.store.borrow();
            block_counts.push(store.filling.blocks.len() + store.spare_arena.blocks.len());
            drop(store);
            values.clear();
            values.give_back();
        }
        Values::release();
        assert_eq!(Rc::strong_count(&counter), 1);
        // Two arenas take turns: from the third round on, nothing new is allocated.
        assert_eq!(block_counts[2], block_counts[3], "{block_counts:?}");
        assert_eq!(addresses[0], addresses[2]);
        assert_eq!(addresses[1], addresses[3]);
    }

    /// Spares are found by type at the cursor or a little after it: a spare never asked for does
    /// not hold back the ones after it, a value of another type of the same layout is never
    /// handed out, and past the window nothing is.
    #[test]
    fn spares_are_matched_by_type_near_the_cursor() {
        let counter = Rc::new(());
        let mut values = Values::take();
        values.alloc(Other(Rc::clone(&counter), [100; 7]));
        for i in 0..5 {
            values.alloc(Held(Rc::clone(&counter), [i; 7]));
        }
        for i in 0..SPARE_WINDOW + 1 {
            values.alloc(Other(Rc::clone(&counter), [200 + i; 7]));
        }
        values.alloc(Held(Rc::clone(&counter), [5; 7]));
        values.clear();
        // Past the unused `Other`, in order.
        for i in 0..5 {
            assert_eq!(values.spare::<Held>().map(|h| h.1), Some([i; 7]));
        }
        // The last `Held` lies past the window of `Other`s.
        assert!(values.spare::<Held>().is_none());
        let other = values.spare::<Other>().expect("an `Other` in the window");
        assert!(Rc::ptr_eq(&other.0, &counter) && other.1 == [200; 7]);
        drop(other);
        values.clear();
        // Everything not taken was dropped.
        assert_eq!(Rc::strong_count(&counter), 1);
        values.give_back();
    }

    /// A panicking `Drop` leaks the values after it; it never drops one twice, and the store
    /// stays usable.
    #[test]
    fn a_panicking_drop_leaks_rather_than_drops_twice() {
        struct Bomb(Rc<Cell<usize>>, bool);
        impl Clone for Bomb {
            fn clone(&self) -> Self {
                Bomb(Rc::clone(&self.0), self.1)
            }
        }
        impl Drop for Bomb {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
                assert!(!self.1, "boom");
            }
        }
        stored!(Bomb, false);
        let drops = Rc::new(Cell::new(0));
        let mut values = Values::take();
        values.alloc(Bomb(Rc::clone(&drops), false));
        values.alloc(Bomb(Rc::clone(&drops), true));
        values.alloc(Bomb(Rc::clone(&drops), false));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| values.clear()));
        assert!(result.is_err());
        assert_eq!(drops.get(), 2, "the third value leaked");
        values.alloc(Bomb(Rc::clone(&drops), false));
        values.clear();
        assert_eq!(drops.get(), 3);
        values.give_back();
    }
}
