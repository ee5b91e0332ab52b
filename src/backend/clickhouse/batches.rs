//! `ingest`'s writing side: the rows its scan produces, as INSERTs.
//!
//! Entry rows are streamed: one INSERT per batch, fed piece by piece while
//! the scan goes on, so that the server makes one large part per batch
//! (each part it makes small is merged again later, recompressing every
//! row, BENCHMARKS.md) while auditui holds only a few pieces. The server
//! handles an INSERT on one thread, and after the last row it still sorts,
//! compresses and writes the part: so [`WRITERS`] writers take the batches
//! in turn, and batch `k + 1` streams while the server finishes batch `k`.
//! A rejected line closes the stream; it and the rest of its batch are
//! held and written whole, the rejected lines first.
//!
//! Whatever a crash leaves stored is therefore a prefix of each of the
//! last two batches, the batches before them whole: at most a gap that
//! the next ingest finds and fills (`resume`).

use super::client::Client;
use super::schema::{ENTRIES, REJECTED};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// INSERTs in flight at once: two keep the server's insert threads busy
/// on two cores (BENCHMARKS.md).
pub const WRITERS: usize = 2;

/// Which batches a writer takes: `first`, `first + step`, … (`lose`: a
/// batch not written, for crash-recovery tests).
pub struct Turn {
    pub first: usize,
    pub step: usize,
    pub lose: Option<usize>,
}

/// What the scan hands a writer, in order.
pub enum Piece {
    /// Entry rows for the streamed INSERT (the first opens one).
    Rows { bytes: Vec<u8>, rows: usize },
    /// Ends the streamed INSERT, if one is open.
    Close,
    /// Rejected lines and the entries after them in their batch, written
    /// whole, in this order.
    Held {
        rejected: Vec<u8>,
        entries: Vec<u8>,
        rows: usize,
    },
    /// End of a batch: closes the streamed INSERT, if one is open.
    End,
}

/// Write every piece `receiver` gives; buffers go back on `give_back` to
/// be filled again. Returns the rows written.
pub fn write_pieces(
    client: &Client,
    receiver: mpsc::Receiver<Piece>,
    give_back: &mpsc::Sender<Vec<u8>>,
    turn: Turn,
    failed: &AtomicBool,
) -> Result<u64, String> {
    let result = write_all(client, &receiver, give_back, &turn);
    if result.is_err() {
        failed.store(true, Ordering::Relaxed);
    }
    result
}

fn write_all(
    client: &Client,
    receiver: &mpsc::Receiver<Piece>,
    give_back: &mpsc::Sender<Vec<u8>>,
    turn: &Turn,
) -> Result<u64, String> {
    let mut written = 0u64;
    let mut batches = 0usize;
    let mut lost = None;
    let mut next = receiver.recv().ok();
    while let Some(piece) = next {
        let batch = turn.first + batches * turn.step;
        if turn.lose == Some(batch) {
            lost = Some(batch);
            batches += usize::from(matches!(piece, Piece::End));
            next = receiver.recv().ok();
            continue;
        }
        next = match piece {
            Piece::Rows { bytes, rows } => {
                let mut stream = Stream {
                    receiver,
                    give_back,
                    bytes,
                    at: 0,
                    rows,
                    after: None,
                };
                client.insert_row_binary_streamed(ENTRIES, &mut stream)?;
                written += stream.rows as u64;
                stream.after
            }
            Piece::Held {
                rejected,
                entries,
                rows,
            } => {
                for (table, bytes) in [(REJECTED, rejected), (ENTRIES, entries)] {
                    if !bytes.is_empty() {
                        client.insert_row_binary(table, &bytes)?;
                    }
                    // The scan may have finished already: then it is freed.
                    let _ = give_back.send(bytes);
                }
                written += rows as u64;
                receiver.recv().ok()
            }
            Piece::Close => receiver.recv().ok(),
            Piece::End => {
                batches += 1;
                receiver.recv().ok()
            }
        };
    }
    match lost {
        Some(batch) => Err(client.error(&format!("batch {batch} lost, as asked"))),
        None => Ok(written),
    }
}

/// The body of a streamed INSERT: the [`Piece::Rows`] from the channel
/// until another piece (kept in `after`) or the end.
struct Stream<'a> {
    receiver: &'a mpsc::Receiver<Piece>,
    give_back: &'a mpsc::Sender<Vec<u8>>,
    bytes: Vec<u8>,
    at: usize,
    rows: usize,
    after: Option<Piece>,
}

impl Read for Stream<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.bytes.len() {
            if self.after.is_some() || self.bytes.capacity() == 0 {
                return Ok(0);
            }
            let _ = self.give_back.send(std::mem::take(&mut self.bytes));
            self.at = 0;
            match self.receiver.recv() {
                Ok(Piece::Rows { bytes, rows }) => {
                    self.bytes = bytes;
                    self.rows += rows;
                }
                // The scan stopped (an error, or the writer's own): the
                // rows sent so far are stored, a prefix a re-run resumes.
                Err(_) => return Ok(0),
                Ok(other) => self.after = Some(other),
            }
        }
        let n = out.len().min(self.bytes.len() - self.at);
        out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
