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

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};

/// The values of one type, in chunks whose buffers never move (see the module docs).
struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    /// The chunk being filled; every chunk before it is full.
    current: usize,
}

/// Values of a chunk type this module has not seen fill a first chunk of about this many bytes.
const FIRST_CHUNK_BYTES: usize = 1024;

impl<T> Chunks<T> {
    fn new() -> Self {
        Chunks {
            chunks: Vec::new(),
            current: 0,
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

    /// Drops every value, keeping the chunks' capacity.
    fn clear(&mut self) {
        // Chunks past the current one hold nothing.
        let used = (self.current + 1).min(self.chunks.len());
        for chunk in &mut self.chunks[..used] {
            chunk.clear();
        }
        self.current = 0;
    }
}

/// Drops the values of the store `store`, a `Chunks<T>`, keeping its capacity.
fn clear_store<T: 'static>(store: &mut dyn Any) {
    if let Some(chunks) = store.downcast_mut::<Chunks<T>>() {
        chunks.clear();
    }
}

/// The values owned by one tape, one store per value type.
pub(crate) struct Values {
    stores: RefCell<Stores>,
    /// The store used last: consecutive values are often of one type.
    last: Cell<usize>,
}

/// A type-erased `Chunks<T>` and the function that clears it.
type Store = (Box<dyn Any>, fn(&mut dyn Any));

#[derive(Default)]
struct Stores {
    /// The value type of each store.
    types: Vec<TypeId>,
    /// One `Chunks<T>` per type, with the function that clears it.
    chunks: Vec<Store>,
}

thread_local! {
    /// The store of the last finished tape of this thread, cleared.
    static SPARE: RefCell<Option<Values>> = const { RefCell::new(None) };
}

impl Values {
    /// The cleared store of the last finished tape of this thread, or a new one.
    pub(crate) fn take() -> Self {
        SPARE
            .with(|spare| spare.borrow_mut().take())
            .unwrap_or_else(|| Values {
                stores: RefCell::default(),
                last: Cell::new(0),
            })
    }

    /// Drops every value stored here, keeping the storage.
    pub(crate) fn clear(&mut self) {
        for (store, clear) in &mut self.stores.get_mut().chunks {
            clear(&mut **store);
        }
    }

    /// Hands this store, which must be cleared, to the next tape of this thread.
    pub(crate) fn give_back(self) {
        SPARE.with(|spare| *spare.borrow_mut() = Some(self));
    }

    /// Stores `value` for as long as `self` is borrowed.
    pub(crate) fn alloc<T: 'static>(&self, value: T) -> &T {
        let mut stores = self.stores.borrow_mut();
        let stores = &mut *stores;
        let last = stores
            .chunks
            .get_mut(self.last.get())
            .and_then(|(store, _)| store.downcast_mut::<Chunks<T>>());
        let value = match last {
            Some(chunks) => chunks.push(value),
            None => {
                let id = TypeId::of::<T>();
                let index = match stores.types.iter().position(|t| *t == id) {
                    Some(index) => index,
                    None => {
                        stores.types.push(id);
                        stores
                            .chunks
                            .push((Box::new(Chunks::<T>::new()), clear_store::<T>));
                        stores.types.len() - 1
                    }
                };
                self.last.set(index);
                stores.chunks[index]
                    .0
                    .downcast_mut::<Chunks<T>>()
                    .expect("the store listed for a type holds that type")
                    .push(value)
            }
        };
        // SAFETY: `value` points at an initialised `T` inside a chunk's heap buffer
        // (`Chunks::push` just wrote it there, at an index below the chunk's length). The
        // reference lives as long as the borrow of `self`, and for that long the value neither
        // moves nor changes nor is dropped:
        // - a chunk is only pushed to below its capacity, so its buffer is never reallocated;
        //   moving the chunk's `Vec` (when the list of chunks or of stores grows) moves its
        //   header, not its buffer; and later pushes write other slots, through `Vec::push`,
        //   which creates no reference to the existing elements;
        // - values are removed only by `clear` and by drop, which need `&mut self` or ownership,
        //   so the borrow checker rules both out while this `&self` borrow lives;
        // - no `&mut T` to a stored value is ever created.
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

    #[test]
    fn values_stay_put_across_chunks_types_and_reuse() {
        let counter = Rc::new(());
        for round in 0..3 {
            let mut values = Values::take();
            {
                let mut strings = Vec::new();
                let mut floats = Vec::new();
                let mut held = Vec::new();
                // Many chunks of each type, the types interleaved so the last-store cache misses.
                for i in 0..2000 {
                    strings.push(values.alloc(format!("{round}:{i}")));
                    floats.push(values.alloc(i as f64 + 0.5));
                    held.push(values.alloc((Rc::clone(&counter), [i; 7])));
                    values.alloc(());
                }
                for (i, ((s, f), (_, a))) in strings.iter().zip(&floats).zip(&held).enumerate() {
                    assert_eq!(**s, format!("{round}:{i}"));
                    assert_eq!(**f, i as f64 + 0.5);
                    assert_eq!(*a, [i; 7]);
                }
                assert_eq!(Rc::strong_count(&counter), 2001);
            }
            values.clear();
            // Clearing drops every value.
            assert_eq!(Rc::strong_count(&counter), 1);
            values.give_back();
        }
    }
}
