//! A per-thread pool of vector and matrix storage, keyed by storage type and shape, so that a
//! loop that differentiates the same computation again and again reuses its buffers instead of
//! allocating them anew.
//!
//! Every vector and matrix of this crate gives its storage to the pool when it is dropped
//! (`give`); the operations that build a value by overwriting every entry of fresh storage
//! (element-wise functions, [`konst`](crate::konst) and the constant constructors, `clone`, the
//! affine layers' copy of the bias, products and first gradients written with `β = 0`) take
//! storage of the right shape from the pool when it holds one (`take`). A tape drops its values when its differentiation ends, so the next
//! differentiation on the thread finds their storage here.
//!
//! The pool keeps at most [`MAX_BYTES`] of storage per thread and [`MAX_PER_SHAPE`] buffers of
//! one storage type and shape; to make room it frees the shape used least recently first.
//! Storage without entries is never kept. [`release_storage`](crate::release_storage) frees the
//! pool (with the tapes' storage); it is also freed at thread exit.

use std::any::{Any, TypeId};
use std::cell::RefCell;

use backprop_backend::{LinalgBackend, Scalar};

use crate::dense::StorageKind;

/// The most bytes of storage the pool keeps per thread.
pub const MAX_BYTES: usize = 64 << 20;

/// The most buffers of one storage type and shape the pool keeps per thread.
pub const MAX_PER_SHAPE: usize = 64;

/// Spare buffers of one storage type and shape.
struct Group {
    shape: (usize, usize),
    type_id: TypeId,
    /// Bytes of one buffer.
    bytes: usize,
    /// How many buffers `spares` holds.
    count: usize,
    /// The pool's clock when this group was last used: the smallest is the least recently used.
    used: u64,
    /// A `Vec<D>` of the storage type `D` whose id is `type_id`.
    spares: Box<dyn Any>,
}

struct Pool {
    /// In order of creation; a loop's few shapes are found by a short scan.
    groups: Vec<Group>,
    /// Bytes held, over every group.
    bytes: usize,
    /// Counts the pool's uses, to date each group's last one.
    clock: u64,
}

impl Pool {
    const fn new() -> Self {
        Pool {
            groups: Vec::new(),
            bytes: 0,
            clock: 0,
        }
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool::new()) };
}

impl Pool {
    /// The group of `D` and `shape`, if there is one, dated now.
    #[inline]
    fn find<D: 'static>(&mut self, shape: (usize, usize)) -> Option<&mut Group> {
        let type_id = TypeId::of::<D>();
        self.clock += 1;
        let clock = self.clock;
        let group = self
            .groups
            .iter_mut()
            .find(|g| g.shape == shape && g.type_id == type_id)?;
        group.used = clock;
        Some(group)
    }

    #[inline]
    fn take<D: 'static>(&mut self, shape: (usize, usize)) -> Option<D> {
        let group = self.find::<D>(shape)?;
        let data = group.spares.downcast_mut::<Vec<D>>()?.pop()?;
        group.count -= 1;
        let bytes = group.bytes;
        self.bytes -= bytes;
        Some(data)
    }

    /// Keeps `data` (of `shape`, `bytes` long) if there is room; otherwise hands it back, with
    /// whatever was freed to make room, for the caller to drop outside the pool's borrow.
    #[inline]
    fn keep<D: 'static>(
        &mut self,
        data: D,
        shape: (usize, usize),
        bytes: usize,
    ) -> (Option<D>, Vec<Group>) {
        let mut freed = Vec::new();
        if self.bytes + bytes > MAX_BYTES {
            freed = self.make_room(bytes, TypeId::of::<D>(), shape);
            if self.bytes + bytes > MAX_BYTES {
                return (Some(data), freed);
            }
        }
        let group = match self.find::<D>(shape) {
            Some(group) => group,
            None => self.add_group::<D>(shape, bytes),
        };
        if group.count >= MAX_PER_SHAPE {
            return (Some(data), freed);
        }
        match group.spares.downcast_mut::<Vec<D>>() {
            Some(spares) => {
                spares.push(data);
                group.count += 1;
                self.bytes += bytes;
                (None, freed)
            }
            None => (Some(data), freed),
        }
    }

    /// A new, empty group of `D` and `shape`, dated now.
    #[cold]
    fn add_group<D: 'static>(&mut self, shape: (usize, usize), bytes: usize) -> &mut Group {
        self.groups.push(Group {
            shape,
            type_id: TypeId::of::<D>(),
            bytes,
            count: 0,
            used: self.clock,
            spares: Box::new(Vec::<D>::new()),
        });
        self.groups.last_mut().expect("a group was just pushed")
    }

    /// Removes whole groups, least recently used first, never the one of `type_id` and
    /// `shape`, until `bytes` more fit under [`MAX_BYTES`]; returns them.
    #[cold]
    fn make_room(&mut self, bytes: usize, type_id: TypeId, shape: (usize, usize)) -> Vec<Group> {
        let mut freed = Vec::new();
        while self.bytes + bytes > MAX_BYTES {
            let victim = self
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| !(g.type_id == type_id && g.shape == shape) && g.count > 0)
                .min_by_key(|(_, g)| g.used)
                .map(|(i, _)| i);
            let Some(victim) = victim else { break };
            let group = self.groups.swap_remove(victim);
            self.bytes -= group.bytes * group.count;
            freed.push(group);
        }
        freed
    }
}

/// Storage of `shape` for kind `K`, taken from the pool; `None` if it holds none.
#[inline]
pub(crate) fn take<S, B, K>(shape: (usize, usize)) -> Option<K::Data>
where
    S: Scalar,
    B: LinalgBackend<S>,
    K: StorageKind<B, S>,
{
    POOL.try_with(|pool| pool.borrow_mut().take::<K::Data>(shape))
        .ok()
        .flatten()
}

/// Gives `data` to the pool, or drops it if it has no entries or the pool has no room for it.
#[inline]
pub(crate) fn give<S, B, K>(data: K::Data)
where
    S: Scalar,
    B: LinalgBackend<S>,
    K: StorageKind<B, S>,
{
    let shape = K::shape(&data);
    let bytes = shape.0 * shape.1 * size_of::<S>();
    if bytes == 0 || bytes > MAX_BYTES {
        return;
    }
    // What the pool does not keep is dropped here, after its borrow is released.
    let _refused = POOL.try_with(move |pool| pool.borrow_mut().keep(data, shape, bytes));
}

/// Frees every buffer the pool of this thread holds.
pub(crate) fn release() {
    let held = POOL.try_with(|pool| std::mem::replace(&mut *pool.borrow_mut(), Pool::new()));
    drop(held);
}

/// Bytes the pool of this thread holds (for tests).
#[cfg(test)]
fn held() -> usize {
    POOL.with(|pool| pool.borrow().bytes)
}

#[cfg(test)]
mod tests {
    use super::{MAX_BYTES, MAX_PER_SHAPE, give, held, release, take};
    use crate::backend::{DefaultBackend, RealMatrix, RealVector};
    use crate::dense::{MatKind, VecKind};

    type B = DefaultBackend;

    fn vector(n: usize, x: f64) -> RealVector<B> {
        <B as backprop_backend::LinalgBackend<f64>>::vec_from_fn(n, |_| x)
    }

    fn matrix(r: usize, c: usize) -> RealMatrix<B> {
        <B as backprop_backend::LinalgBackend<f64>>::mat_from_fn(r, c, |_, _| 1.0)
    }

    #[test]
    fn storage_comes_back_by_type_and_shape() {
        release();
        give::<f64, B, VecKind>(vector(3, 7.0));
        give::<f64, B, MatKind>(matrix(3, 1));
        assert_eq!(held(), 2 * 3 * 8);
        // Another shape, or the other kind of the same shape: none.
        assert!(take::<f64, B, VecKind>((4, 1)).is_none());
        let v = take::<f64, B, VecKind>((3, 1)).expect("the vector given");
        assert_eq!(
            <B as backprop_backend::LinalgBackend<f64>>::vec_get(&v, 2),
            7.0
        );
        assert!(take::<f64, B, VecKind>((3, 1)).is_none(), "taken once");
        assert!(take::<f64, B, MatKind>((3, 1)).is_some());
        assert_eq!(held(), 0);
        // Storage of no entries is never kept.
        give::<f64, B, VecKind>(vector(0, 0.0));
        assert_eq!(held(), 0);
    }

    #[test]
    fn the_pool_is_bounded_and_frees_the_least_recently_used_shape_first() {
        release();
        for _ in 0..MAX_PER_SHAPE + 5 {
            give::<f64, B, VecKind>(vector(2, 1.0));
        }
        assert_eq!(
            held(),
            MAX_PER_SHAPE * 2 * 8,
            "at most MAX_PER_SHAPE of a shape"
        );
        // Large buffers: an old shape makes room for a new one; the total stays bounded.
        let n = MAX_BYTES / 8 / 4; // a quarter of the budget each
        give::<f64, B, VecKind>(vector(n, 1.0));
        give::<f64, B, VecKind>(vector(n, 1.0));
        give::<f64, B, VecKind>(vector(n, 1.0));
        assert!(held() <= MAX_BYTES);
        give::<f64, B, VecKind>(vector(n + 1, 1.0));
        assert!(held() <= MAX_BYTES);
        assert!(
            take::<f64, B, VecKind>((n + 1, 1)).is_some(),
            "the newest is kept"
        );
        assert!(
            take::<f64, B, VecKind>((2, 1)).is_none(),
            "the least recently used shape was freed first"
        );
        release();
        assert_eq!(held(), 0);
    }
}
