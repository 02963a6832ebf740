//! [`List`]: a vector that holds its first element inline.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::FusedIterator;
use std::ops::{Deref, DerefMut};

/// A growable list that keeps zero or one element inline and moves to a [`Vec`] only for a
/// second one.
///
/// Almost every DM command carries exactly one `Item`, and a Status at most one TargetRef
/// and SourceRef; as `Vec`s those lists cost a heap allocation (and its free) per command
/// decoded. A `List` costs none until it holds two elements. It derefs to a slice, so
/// reading it is reading a `&[T]`; equality, hashing and `Debug` are those of the slice,
/// whatever the representation.
///
/// ```
/// use syncml_codec::List;
///
/// let mut refs: List<&str> = List::new();
/// refs.push("./DevInfo/Mod"); // inline, no allocation
/// assert_eq!(refs, ["./DevInfo/Mod"]);
/// refs.push("./DevInfo/Man"); // now a Vec
/// assert_eq!(refs.len(), 2);
/// assert_eq!(refs.into_vec(), vec!["./DevInfo/Mod", "./DevInfo/Man"]);
/// ```
#[derive(Clone)]
pub struct List<T> {
    repr: Repr<T>,
}

#[derive(Clone)]
enum Repr<T> {
    Empty,
    One(T),
    Many(Vec<T>),
}

impl<T> List<T> {
    /// An empty list (no allocation).
    pub const fn new() -> Self {
        Self { repr: Repr::Empty }
    }

    /// The elements as a slice.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        match &self.repr {
            Repr::Empty => &[],
            Repr::One(x) => std::slice::from_ref(x),
            Repr::Many(v) => v,
        }
    }

    /// The elements as a mutable slice.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.repr {
            Repr::Empty => &mut [],
            Repr::One(x) => std::slice::from_mut(x),
            Repr::Many(v) => v,
        }
    }

    /// Appends a default element and returns it (always `Some`), to be filled where it is
    /// kept: the decoders build items this way, since copying one in just after writing it
    /// stalls on its fresh stores.
    #[inline]
    pub(crate) fn push_default(&mut self) -> Option<&mut T>
    where
        T: Default,
    {
        match &mut self.repr {
            Repr::Many(v) => v.push(T::default()),
            Repr::Empty => self.repr = Repr::One(T::default()),
            Repr::One(_) => self.spill(T::default()),
        }
        self.as_mut_slice().last_mut()
    }

    /// Appends an element: inline when the list is empty, else into a `Vec`.
    #[inline]
    pub fn push(&mut self, value: T) {
        match &mut self.repr {
            Repr::Empty => self.repr = Repr::One(value),
            Repr::Many(v) => v.push(value),
            Repr::One(_) => self.spill(value),
        }
    }

    /// Moves the elements to a `Vec` (room for two, as lists rarely hold more) and appends
    /// `value`.
    #[inline]
    fn spill(&mut self, value: T) {
        let mut v = match std::mem::replace(&mut self.repr, Repr::Empty) {
            Repr::Empty => Vec::with_capacity(2),
            Repr::One(first) => {
                let mut v = Vec::with_capacity(2);
                v.push(first);
                v
            }
            Repr::Many(v) => v,
        };
        v.push(value);
        self.repr = Repr::Many(v);
    }

    /// Removes and gives the last element.
    pub fn pop(&mut self) -> Option<T> {
        match std::mem::replace(&mut self.repr, Repr::Empty) {
            Repr::Empty => None,
            Repr::One(x) => Some(x),
            Repr::Many(mut v) => {
                let last = v.pop();
                self.repr = Repr::Many(v);
                last
            }
        }
    }

    /// Keeps only the elements for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        match &mut self.repr {
            Repr::Empty => {}
            Repr::One(x) => {
                if !keep(x) {
                    self.repr = Repr::Empty;
                }
            }
            Repr::Many(v) => v.retain(keep),
        }
    }

    /// Removes every element (a `Vec` keeps its capacity).
    pub fn clear(&mut self) {
        match &mut self.repr {
            Repr::Many(v) => v.clear(),
            _ => self.repr = Repr::Empty,
        }
    }

    /// Keeps the first `len` elements (a `Vec` keeps its capacity).
    pub fn truncate(&mut self, len: usize) {
        match &mut self.repr {
            Repr::Many(v) => v.truncate(len),
            Repr::One(_) if len == 0 => self.repr = Repr::Empty,
            _ => {}
        }
    }

    /// The elements as a `Vec` (allocating only when the list is inline and not empty).
    pub fn into_vec(self) -> Vec<T> {
        match self.repr {
            Repr::Empty => Vec::new(),
            Repr::One(x) => vec![x],
            Repr::Many(v) => v,
        }
    }

    /// A list of the elements mapped by `f`, in the same representation (no allocation
    /// for an inline list).
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> List<U> {
        List {
            repr: match self.repr {
                Repr::Empty => Repr::Empty,
                Repr::One(x) => Repr::One(f(x)),
                Repr::Many(v) => Repr::Many(v.into_iter().map(f).collect()),
            },
        }
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Deref for List<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> DerefMut for List<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T> AsRef<[T]> for List<T> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T> AsMut<[T]> for List<T> {
    fn as_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for List<T> {}

impl<T: PartialEq> PartialEq<[T]> for List<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq> PartialEq<&[T]> for List<T> {
    fn eq(&self, other: &&[T]) -> bool {
        self.as_slice() == *other
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T; N]> for List<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for List<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialEq> PartialEq<List<T>> for Vec<T> {
    fn eq(&self, other: &List<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Hash> Hash for List<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(v: Vec<T>) -> Self {
        Self {
            repr: Repr::Many(v),
        }
    }
}

impl<T> From<T> for List<T> {
    fn from(x: T) -> Self {
        Self { repr: Repr::One(x) }
    }
}

impl<T, const N: usize> From<[T; N]> for List<T> {
    fn from(a: [T; N]) -> Self {
        a.into_iter().collect()
    }
}

impl<T: Clone> From<&[T]> for List<T> {
    fn from(s: &[T]) -> Self {
        s.iter().cloned().collect()
    }
}

impl<T> From<List<T>> for Vec<T> {
    fn from(l: List<T>) -> Self {
        l.into_vec()
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut it = iter.into_iter();
        let Some(first) = it.next() else {
            return Self::new();
        };
        let Some(second) = it.next() else {
            return Self::from(first);
        };
        let mut v = Vec::with_capacity(it.size_hint().0.saturating_add(2));
        v.push(first);
        v.push(second);
        v.extend(it);
        Self::from(v)
    }
}

impl<T> Extend<T> for List<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut it = iter.into_iter();
        loop {
            if let Repr::Many(v) = &mut self.repr {
                v.extend(it);
                return;
            }
            match it.next() {
                Some(x) => self.push(x),
                None => return,
            }
        }
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'l, T> IntoIterator for &'l mut List<T> {
    type Item = &'l mut T;
    type IntoIter = std::slice::IterMut<'l, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            inner: match self.repr {
                Repr::Empty => Inner::One(None),
                Repr::One(x) => Inner::One(Some(x)),
                Repr::Many(v) => Inner::Many(v.into_iter()),
            },
        }
    }
}

/// The owned iterator of a [`List`].
#[derive(Clone, Debug)]
pub struct IntoIter<T> {
    inner: Inner<T>,
}

#[derive(Clone, Debug)]
enum Inner<T> {
    One(Option<T>),
    Many(std::vec::IntoIter<T>),
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.inner {
            Inner::One(x) => x.take(),
            Inner::Many(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for IntoIter<T> {
    fn next_back(&mut self) -> Option<T> {
        match &mut self.inner {
            Inner::One(x) => x.take(),
            Inner::Many(it) => it.next_back(),
        }
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {
    fn len(&self) -> usize {
        match &self.inner {
            Inner::One(x) => usize::from(x.is_some()),
            Inner::Many(it) => it.len(),
        }
    }
}

impl<T> FusedIterator for IntoIter<T> {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash<T: Hash + ?Sized>(x: &T) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    fn is_empty_repr<T>(l: &List<T>) -> bool {
        matches!(l.repr, Repr::Empty)
    }

    fn is_one<T>(l: &List<T>) -> bool {
        matches!(l.repr, Repr::One(_))
    }

    fn is_many<T>(l: &List<T>) -> bool {
        matches!(l.repr, Repr::Many(_))
    }

    #[test]
    fn push_goes_empty_one_many() {
        let mut l = List::new();
        assert!(is_empty_repr(&l) && l.is_empty());
        assert_eq!(l, []);
        l.push(1);
        assert!(is_one(&l));
        assert_eq!(l, [1]);
        l.push(2);
        assert!(is_many(&l));
        assert_eq!(l, [1, 2]);
        l.push(3);
        assert_eq!(l, [1, 2, 3]);
        assert_eq!(l.len(), 3);
        assert_eq!(l[2], 3);
    }

    #[test]
    fn pop_goes_back() {
        let mut l = List::<i32>::from([1, 2]);
        assert_eq!(l.pop(), Some(2));
        assert_eq!(l, [1]);
        assert_eq!(l.pop(), Some(1));
        assert!(l.is_empty());
        assert_eq!(l.pop(), None);
        // An inline element pops to an empty list, which takes a new element inline.
        let mut l = List::from(7);
        assert_eq!(l.pop(), Some(7));
        assert!(is_empty_repr(&l));
        assert_eq!(l.pop(), None);
        l.push(8);
        assert!(is_one(&l));
        assert_eq!(l, [8]);
    }

    #[test]
    fn truncate_keeps_the_first() {
        let mut l: List<u8> = List::new();
        l.truncate(0);
        assert!(is_empty_repr(&l));
        l.push(1);
        l.truncate(1);
        assert_eq!(l, [1]);
        l.truncate(0);
        assert!(is_empty_repr(&l));
        l.extend([1, 2, 3]);
        l.truncate(5);
        assert_eq!(l, [1, 2, 3]);
        l.truncate(1);
        assert_eq!(l, [1]);
        l.truncate(0);
        assert!(l.is_empty());
    }

    #[test]
    fn retain_and_clear() {
        let mut l = List::from(vec![1, 2, 3, 4]);
        l.retain(|x| x % 2 == 0);
        assert_eq!(l, [2, 4]);
        l.retain(|x| *x == 4);
        assert_eq!(l, [4]);
        l.retain(|_| false);
        assert!(l.is_empty());
        let mut l = List::from(5);
        l.retain(|x| *x == 5);
        assert_eq!(l, [5]);
        assert!(is_one(&l));
        l.retain(|x| *x != 5);
        assert!(is_empty_repr(&l));
        let mut l = List::<i32>::from([1, 2, 3]);
        l.clear();
        assert!(l.is_empty());
        l.push(1);
        assert_eq!(l, [1]);
        let mut l = List::from(1);
        l.clear();
        assert!(is_empty_repr(&l));
    }

    #[test]
    fn equal_across_representations() {
        let one = List::from(1);
        let many = List::from(vec![1]);
        assert!(is_one(&one) && is_many(&many));
        assert_eq!(one, many);
        assert_eq!(many, one);
        assert_eq!(hash(&one), hash(&many));
        assert_eq!(hash(&one), hash(&[1][..]));
        let empty: List<i32> = List::new();
        let empty_vec = List::from(Vec::<i32>::new());
        assert_eq!(empty, empty_vec);
        assert_eq!(hash(&empty), hash(&empty_vec));
        assert_ne!(one, empty);
        assert_ne!(List::<i32>::from([1, 2]), one);
        assert_eq!(one, vec![1]);
        assert_eq!(vec![1], one);
        assert_eq!(one, [1][..]);
        assert_eq!(one, &[1][..]);
    }

    #[test]
    fn debug_is_the_slice() {
        let l: List<&str> = List::new();
        assert_eq!(format!("{l:?}"), format!("{:?}", &[] as &[&str]));
        for v in [vec!["a"], vec!["a", "b"]] {
            let from_vec = List::<&str>::from(v.clone());
            let collected: List<_> = v.iter().copied().collect();
            assert_eq!(format!("{from_vec:?}"), format!("{:?}", v.as_slice()));
            assert_eq!(format!("{collected:?}"), format!("{:?}", v.as_slice()));
            assert_eq!(format!("{collected:#?}"), format!("{:#?}", v.as_slice()));
        }
    }

    #[test]
    fn collect_extend_and_iterate() {
        let l: List<i32> = std::iter::empty().collect();
        assert!(is_empty_repr(&l));
        let l: List<i32> = std::iter::once(1).collect();
        assert!(is_one(&l));
        let mut l: List<i32> = (1..=3).collect();
        assert!(is_many(&l));
        l.extend([4, 5]);
        assert_eq!(l, [1, 2, 3, 4, 5]);
        let mut e = List::new();
        e.extend(std::iter::empty());
        assert!(is_empty_repr(&e));
        e.extend([1]);
        assert!(is_one(&e));
        e.extend([2, 3]);
        assert_eq!(e, [1, 2, 3]);
        for x in &mut e {
            *x *= 10;
        }
        assert_eq!((&e).into_iter().sum::<i32>(), 60);
        let it = e.into_iter();
        assert_eq!(it.len(), 3);
        assert_eq!(it.rev().collect::<Vec<_>>(), [30, 20, 10]);
        let mut it = List::from("x".to_owned()).into_iter();
        assert_eq!(it.size_hint(), (1, Some(1)));
        assert_eq!(it.next().as_deref(), Some("x"));
        assert_eq!(it.next(), None);
        assert_eq!(it.len(), 0);
        assert_eq!(List::<u8>::new().into_iter().next_back(), None);
    }

    /// Every command is as large as the largest, and each is moved a few times while decoded:
    /// an inline item (144 bytes) must not make that much larger (184 bytes with `Vec`s).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn commands_stay_small() {
        use crate::model::{Command, Item};
        assert_eq!(size_of::<List<Item<'_>>>(), size_of::<Item<'_>>());
        assert!(size_of::<Command<'_>>() <= 208);
    }

    #[test]
    fn conversions() {
        assert_eq!(List::<i32>::from([1, 2]).into_vec(), vec![1, 2]);
        assert_eq!(List::from(1).into_vec(), vec![1]);
        assert_eq!(List::<u8>::new().into_vec(), Vec::<u8>::new());
        assert!(is_one(&List::<i32>::from([9])));
        assert!(is_empty_repr(&List::<u8>::from([])));
        let s: &[u8] = &[1, 2];
        assert_eq!(List::<u8>::from(s), [1, 2]);
        let v: Vec<u8> = List::from(3).into();
        assert_eq!(v, [3]);
        let mut l = List::from(2);
        l[0] = 4;
        l.as_mut().sort();
        assert_eq!(l.as_ref(), [4]);
        assert_eq!(l.clone(), l);
        assert_eq!(List::from(5).map(|x| x + 1), [6]);
        assert!(is_one(&List::from(5).map(|x| x + 1)));
        assert_eq!(List::<i32>::from([1, 2]).map(|x| x * 2), [2, 4]);
        assert!(List::<u8>::default().is_empty());
    }
}
