//! ClickHouse's RowBinary format, the few types auditui's tables use:
//! integers and floats little-endian, strings as a LEB128 length and the
//! bytes. Byte-identical on 18.16 and current servers.

use std::io::{self, Read};

/// Appends values to a buffer of rows.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn string(&mut self, value: &[u8]) {
        self.u64_leb128(value.len() as u64);
        self.bytes.extend_from_slice(value);
    }

    /// A hash as a string of lowercase hex digits, as `hexdigest()` writes
    /// it; formatted in place (ingest writes two per row).
    pub fn hex(&mut self, hash: &[u8; 32]) {
        self.string(&crate::log::canonical::hex_digits(hash));
    }

    /// `FixedString(N)`: the N bytes, no length.
    pub fn fixed(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
    }

    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub fn i8(&mut self, value: i8) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn i32(&mut self, value: i32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn i64(&mut self, value: i64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn f64(&mut self, value: f64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// `Array(String)`: a LEB128 count, then each string.
    pub fn strings<'s>(&mut self, values: impl ExactSizeIterator<Item = &'s str>) {
        self.u64_leb128(values.len() as u64);
        for value in values {
            self.string(value.as_bytes());
        }
    }

    /// `Array(UInt64)`: a LEB128 count, then each value.
    pub fn u64s(&mut self, values: &[u64]) {
        self.u64_leb128(values.len() as u64);
        for &value in values {
            self.u64(value);
        }
    }

    fn u64_leb128(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }
}

/// Reads values from a RowBinary stream.
pub struct Reader<R> {
    input: R,
}

impl<R: Read> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader { input }
    }

    /// The first byte of the next row, or `None` at a clean end of stream.
    pub fn at_end(&mut self) -> io::Result<Option<u8>> {
        let mut byte = [0u8; 1];
        loop {
            match self.input.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(byte[0])),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// A string whose LEB128 length starts with `first` (from [`Reader::at_end`]).
    pub fn string_from(&mut self, first: u8, into: &mut Vec<u8>) -> io::Result<()> {
        let len = self.leb128_from(first)?;
        into.clear();
        // `take` bounds the read by what the stream really has, so a
        // corrupt length cannot make this allocate without limit.
        (&mut self.input).take(len).read_to_end(into)?;
        if into.len() as u64 != len {
            return Err(truncated());
        }
        Ok(())
    }

    pub fn string(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
        let first = self.byte()?;
        self.string_from(first, into)
    }

    pub fn u8(&mut self) -> io::Result<u8> {
        self.byte()
    }

    /// One row of the given column types, whose first byte is `first`,
    /// copied whole into `row`; `columns` gets each value's byte range
    /// there (a string's without its length).
    pub fn row(
        &mut self,
        types: &[(&str, &str)],
        first: u8,
        row: &mut Vec<u8>,
        columns: &mut Vec<std::ops::Range<usize>>,
    ) -> io::Result<()> {
        row.clear();
        columns.clear();
        let mut pending = Some(first);
        for (_, kind) in types {
            let width = match *kind {
                "String" => {
                    let first = match pending.take() {
                        Some(b) => b,
                        None => self.byte()?,
                    };
                    let len = self.leb128_from(first)?;
                    let start = row.len();
                    (&mut self.input).take(len).read_to_end(row)?;
                    if (row.len() - start) as u64 != len {
                        return Err(truncated());
                    }
                    columns.push(start..row.len());
                    continue;
                }
                "UInt8" | "Int8" => 1,
                "Int32" => 4,
                "UInt64" | "Int64" | "Float64" => 8,
                "FixedString(32)" => 32,
                other => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("no RowBinary reader for {other}"),
                    ));
                }
            };
            let start = row.len();
            row.extend(pending.take());
            let have = row.len() - start;
            row.resize(start + width, 0);
            self.input
                .read_exact(&mut row[start + have..])
                .map_err(eof_is_truncated)?;
            columns.push(start..row.len());
        }
        Ok(())
    }

    pub fn u64(&mut self) -> io::Result<u64> {
        let mut bytes = [0u8; 8];
        self.input
            .read_exact(&mut bytes)
            .map_err(eof_is_truncated)?;
        Ok(u64::from_le_bytes(bytes))
    }

    pub fn i64(&mut self) -> io::Result<i64> {
        self.u64()
            .map(|value| i64::from_le_bytes(value.to_le_bytes()))
    }

    fn byte(&mut self) -> io::Result<u8> {
        let mut byte = [0u8; 1];
        self.input.read_exact(&mut byte).map_err(eof_is_truncated)?;
        Ok(byte[0])
    }

    fn leb128_from(&mut self, first: u8) -> io::Result<u64> {
        let mut value = u64::from(first & 0x7f);
        let mut byte = first;
        let mut shift = 7;
        while byte & 0x80 != 0 {
            if shift > 63 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "bad string length",
                ));
            }
            byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        Ok(value)
    }
}

fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the answer ended mid-row")
}

fn eof_is_truncated(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        truncated()
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_integers_round_trip_across_length_byte_boundaries() {
        let mut writer = Writer::default();
        let long = vec![b'x'; 300];
        writer.string(b"");
        writer.string(&long);
        writer.u64(u64::MAX - 1);
        writer.u8(7);
        assert_eq!(&writer.bytes[1..3], &[0xac, 0x02], "300 as LEB128");
        let mut reader = Reader::new(&writer.bytes[..]);
        let mut text = Vec::new();
        reader.string(&mut text).unwrap();
        assert!(text.is_empty());
        let first = reader.at_end().unwrap().unwrap();
        reader.string_from(first, &mut text).unwrap();
        assert_eq!(text, long);
        assert_eq!(reader.u64().unwrap(), u64::MAX - 1);
        assert_eq!(reader.u8().unwrap(), 7);
        assert_eq!(reader.at_end().unwrap(), None);
    }

    #[test]
    fn hashes_are_written_as_the_hex_string_to_hex_gives() {
        let hash: [u8; 32] = std::array::from_fn(|i| (i * 37 + 5) as u8);
        let (mut direct, mut via_string) = (Writer::default(), Writer::default());
        direct.hex(&hash);
        via_string.string(crate::log::canonical::to_hex(&hash).as_bytes());
        assert_eq!(direct.bytes, via_string.bytes);
        assert_eq!(direct.bytes[0], 64);
    }

    #[test]
    fn rows_split_into_their_columns() {
        let mut writer = Writer::default();
        writer.u64(5);
        writer.string(b"abc");
        writer.i8(-1);
        writer.string(b"");
        writer.fixed(&[7; 32]);
        let types = [
            ("a", "UInt64"),
            ("b", "String"),
            ("c", "Int8"),
            ("d", "String"),
            ("e", "FixedString(32)"),
        ];
        let mut reader = Reader::new(&writer.bytes[..]);
        let first = reader.at_end().unwrap().unwrap();
        let (mut row, mut columns) = (Vec::new(), Vec::new());
        reader.row(&types, first, &mut row, &mut columns).unwrap();
        assert_eq!(columns, vec![0..8, 8..11, 11..12, 12..12, 12..44]);
        assert_eq!(&row[8..11], b"abc");
        assert_eq!(row[11], 0xff);
        assert_eq!(&row[12..44], &[7; 32], "a fixed string has no length");
        assert_eq!(reader.at_end().unwrap(), None);
        let cut = &writer.bytes[..10];
        let mut reader = Reader::new(cut);
        let first = reader.at_end().unwrap().unwrap();
        assert!(reader.row(&types, first, &mut row, &mut columns).is_err());
    }

    #[test]
    fn a_stream_cut_mid_row_is_an_error_not_a_short_value() {
        let mut writer = Writer::default();
        writer.string(b"hello");
        let cut = &writer.bytes[..4];
        let error = Reader::new(cut).string(&mut Vec::new()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert!(Reader::new(&[1u8, 2][..]).u64().is_err());
    }
}
