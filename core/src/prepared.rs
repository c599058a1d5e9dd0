//! Decoding off the engine's thread: [`crate::Engine::split`] cuts a batch
//! into its items (the cheap, sequential part: it carries an unfinished
//! line and the array state), [`Items::decode`] decodes them anywhere (it
//! is a pure function of the bytes, so a caller can run many at once on
//! other threads), and [`crate::Engine::push_decoded`] stores them, in the
//! order `split` made them, exactly as [`crate::Engine::push`] would have.

use crate::decode::Decoded;
use crate::engine::{decode_piece, Outcome};
use std::ops::Range;

/// The items of one batch, cut by [`crate::Engine::split`], not yet
/// decoded. Owns its bytes, so it can be sent to another thread.
#[derive(Debug)]
pub struct Items {
    pub(crate) seq: u64,
    pub(crate) bytes: Vec<u8>,
    pub(crate) pieces: Vec<Result<Range<usize>, String>>,
    pub(crate) limit: usize,
}

/// The items of one batch, decoded by [`Items::decode`], for
/// [`crate::Engine::push_decoded`].
#[derive(Debug)]
pub struct DecodedItems {
    pub(crate) seq: u64,
    pub(crate) outcomes: Vec<Outcome>,
}

impl Items {
    /// How many items the batch holds.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    /// Whether the batch holds no item (a batch that only continued an
    /// unfinished line, or only white space).
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Decodes every item. Pure: the same items give the same result on
    /// any thread, in any order relative to other batches.
    pub fn decode(self) -> DecodedItems {
        let outcomes = self
            .pieces
            .into_iter()
            // The input index is given when the items are pushed.
            .map(|piece| decode_piece(piece.map(|r| &self.bytes[r]), self.limit, 0))
            .collect();
        DecodedItems { seq: self.seq, outcomes }
    }
}

/// Gives a decoded item its input index (decoded as 0, see `Items::decode`).
pub(crate) fn number(mut outcome: Outcome, index: u64) -> Outcome {
    match &mut outcome {
        Ok((Decoded::Event(ev), _)) => ev.index = index,
        Ok((Decoded::Many(events, ..), _)) => events.iter_mut().for_each(|ev| ev.index = index),
        _ => {}
    }
    outcome
}

/// [`crate::Engine::push_decoded`] was given items out of order: each
/// [`DecodedItems`] must be pushed once, in the order `split` made them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfOrder {
    /// The batch number expected next.
    pub expected: u64,
    /// The batch number given.
    pub found: u64,
}

impl std::fmt::Display for OutOfOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decoded items pushed out of order: batch {} given, batch {} expected", self.found, self.expected)
    }
}

impl std::error::Error for OutOfOrder {}
