//! `mb_u_int32`: WBXML's big-endian base-128 integers (7 bits a byte, high bit = more).

use crate::Error;

/// The most bytes a 32-bit value takes.
pub const MAX_LEN: usize = 5;

/// Reads an mb_u_int32 at `pos`; returns the value and the position after it.
///
/// Rejects more than 5 bytes and values of 2^32 or more (libwbxml silently truncates them,
/// which lets a hostile length alias a small one).
#[inline]
pub fn read(input: &[u8], pos: usize) -> Result<(u32, usize), Error> {
    let mut value: u64 = 0;
    for i in 0..MAX_LEN {
        let at = pos + i;
        let Some(&byte) = input.get(at) else {
            return Err(Error::UnexpectedEof { offset: at });
        };
        value = (value << 7) | u64::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            return u32::try_from(value)
                .map(|v| (v, at + 1))
                .map_err(|_| Error::MbUint32Overflow { offset: pos });
        }
    }
    Err(Error::MbUint32TooLong { offset: pos })
}

/// Appends `value` as an mb_u_int32.
#[inline]
pub fn write(out: &mut Vec<u8>, value: u32) {
    let len = encoded_len(value);
    for i in (0..len).rev() {
        // Truncation to the low 7 bits is the encoding itself.
        let septet = ((value >> (7 * i)) & 0x7F) as u8;
        out.push(if i == 0 { septet } else { septet | 0x80 });
    }
}

/// How many bytes `value` takes as an mb_u_int32.
#[inline]
pub const fn encoded_len(value: u32) -> usize {
    match value {
        0..=0x7F => 1,
        0x80..=0x3FFF => 2,
        0x4000..=0x1F_FFFF => 3,
        0x20_0000..=0x0FFF_FFFF => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: u32) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, v);
        out
    }

    #[test]
    fn spec_examples() {
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(0x7F), [0x7F]);
        assert_eq!(enc(0x80), [0x81, 0x00]);
        assert_eq!(enc(236), [0x81, 0x6C]);
        assert_eq!(enc(0x1201), [0xA4, 0x01]);
        assert_eq!(enc(0x0FD3), [0x9F, 0x53]);
        assert_eq!(enc(u32::MAX), [0x8F, 0xFF, 0xFF, 0xFF, 0x7F]);
    }

    #[test]
    fn round_trips_at_every_length_boundary() {
        for v in [
            0,
            1,
            0x7F,
            0x80,
            0x3FFF,
            0x4000,
            0x1F_FFFF,
            0x20_0000,
            0x0FFF_FFFF,
            0x1000_0000,
            u32::MAX,
        ] {
            let bytes = enc(v);
            assert_eq!(bytes.len(), encoded_len(v));
            assert_eq!(read(&bytes, 0), Ok((v, bytes.len())));
        }
    }

    #[test]
    fn rejects_six_bytes_and_values_past_32_bits() {
        assert_eq!(
            read(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 0),
            Err(Error::MbUint32TooLong { offset: 0 })
        );
        // 0x1_0000_1201: libwbxml reads this as 0x1201.
        assert_eq!(
            read(&[0x90, 0x80, 0x80, 0xA4, 0x01], 0),
            Err(Error::MbUint32Overflow { offset: 0 })
        );
        assert_eq!(
            read(&[0x10, 0x90, 0x80, 0x80, 0x80, 0x02], 1),
            Err(Error::MbUint32Overflow { offset: 1 })
        );
    }

    #[test]
    fn truncated_integer_is_eof_at_the_missing_byte() {
        assert_eq!(read(&[0x81], 0), Err(Error::UnexpectedEof { offset: 1 }));
        assert_eq!(read(&[], 0), Err(Error::UnexpectedEof { offset: 0 }));
    }
}
