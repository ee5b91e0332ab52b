//! `ingest`'s writing side: the rows its scan produces, as INSERTs.
//!
//! Entry rows are streamed: one INSERT per batch (up to a million rows),
//! fed piece by piece while the scan goes on, so that the server makes one
//! large part per batch (each part it makes small is merged again later,
//! recompressing every row: about 3 s of server CPU per million rows per
//! merge, BENCHMARKS.md) while auditui holds only a few pieces. A rejected
//! line closes the stream; it and the rest of its batch are held and
//! written whole, the rejected lines first. So no stored entry ever follows
//! a line of its chain the database lacks, whatever prefix of an INSERT a
//! crash leaves stored: a re-run resumes after the last stored entry.

use super::client::Client;
use super::schema::{ENTRIES, REJECTED};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// What the scan hands the writer, in order.
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
/// be filled again. Returns the rows written. `stop_after_batches` fails
/// before that batch starts, as a crash would (tests).
pub fn write_pieces(
    client: &Client,
    receiver: mpsc::Receiver<Piece>,
    give_back: &mpsc::Sender<Vec<u8>>,
    stop_after_batches: Option<usize>,
    failed: &AtomicBool,
) -> Result<u64, String> {
    let result = write_all(client, &receiver, give_back, stop_after_batches);
    if result.is_err() {
        failed.store(true, Ordering::Relaxed);
    }
    result
}

fn write_all(
    client: &Client,
    receiver: &mpsc::Receiver<Piece>,
    give_back: &mpsc::Sender<Vec<u8>>,
    stop_after_batches: Option<usize>,
) -> Result<u64, String> {
    let mut written = 0u64;
    let mut batches = 0usize;
    let mut next = receiver.recv().ok();
    while let Some(piece) = next {
        if stop_after_batches == Some(batches) {
            return Err(client.error(&format!("stopped after {batches} batches, as asked")));
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
    Ok(written)
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
