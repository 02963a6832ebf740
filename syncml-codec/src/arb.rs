//! `Arbitrary` for the model (feature `arbitrary`): every message generated is valid DM and
//! representable in both encodings, so encode-then-decode must give it back.

use std::borrow::Cow;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::codes::{AlertCode, StatusCode};
use crate::model::*;

/// Characters that stress escaping in XML and strings in WBXML.
const CHARS: &[char] = &[
    'a', 'Z', '0', '9', ' ', '&', '<', '>', '"', '\'', '/', '.', '=', ']', '\n', '\t', '\r', 'é',
    '€', '😀', '?', '+', ';', '#',
];

fn s<'a>(u: &mut Unstructured<'a>) -> Result<Str<'a>> {
    let len = u.int_in_range(0..=12)?;
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(*u.choose(CHARS)?);
    }
    Ok(Cow::Owned(out))
}

fn name<'a>(u: &mut Unstructured<'a>) -> Result<String> {
    let len = u.int_in_range(1..=8)?;
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(*u.choose(&['a', 'b', 'X', '1', '_'])?);
    }
    Ok(out)
}

fn opt<'a, T>(
    u: &mut Unstructured<'a>,
    f: impl FnOnce(&mut Unstructured<'a>) -> Result<T>,
) -> Result<Option<T>> {
    if u.arbitrary()? {
        Ok(Some(f(u)?))
    } else {
        Ok(None)
    }
}

fn many<'a, T, C: FromIterator<T>>(
    u: &mut Unstructured<'a>,
    min: usize,
    max: usize,
    mut f: impl FnMut(&mut Unstructured<'a>) -> Result<T>,
) -> Result<C> {
    let n = u.int_in_range(min..=max)?;
    (0..n).map(|_| f(u)).collect()
}

fn location<'a>(u: &mut Unstructured<'a>) -> Result<Location<'a>> {
    Ok(Location {
        loc_uri: s(u)?,
        loc_name: opt(u, s)?,
    })
}

fn format<'a>(u: &mut Unstructured<'a>) -> Result<Format<'a>> {
    Ok(match u.int_in_range(0..=11)? {
        0 => Format::B64,
        1 => Format::Bin,
        2 => Format::Bool,
        3 => Format::Chr,
        4 => Format::Int,
        5 => Format::Node,
        6 => Format::Null,
        7 => Format::Xml,
        8 => Format::Date,
        9 => Format::Time,
        10 => Format::Float,
        _ => Format::Other(Cow::Owned(format!("x-{}", name(u)?))),
    })
}

fn boxed_meta<'a>(u: &mut Unstructured<'a>) -> Result<Box<Meta<'a>>> {
    meta(u).map(Box::new)
}

fn meta<'a>(u: &mut Unstructured<'a>) -> Result<Meta<'a>> {
    Ok(Meta {
        format: opt(u, format)?,
        mime_type: opt(u, |u| {
            Ok(if u.arbitrary()? {
                Cow::Borrowed("application/vnd.syncml.dmtnds+xml")
            } else {
                s(u)?
            })
        })?,
        mark: opt(u, s)?,
        size: opt(u, |u| u.arbitrary())?,
        anchor: opt(u, |u| {
            Ok(Anchor {
                last: opt(u, s)?,
                next: opt(u, s)?,
            })
        })?,
        version: opt(u, s)?,
        next_nonce: opt(u, s)?,
        max_msg_size: opt(u, |u| u.arbitrary())?,
        max_obj_size: opt(u, |u| u.arbitrary())?,
        emi: many(u, 0, 2, s)?,
        mem: opt(u, |u| {
            Ok(Mem {
                shared_mem: u.arbitrary()?,
                free_mem: opt(u, |u| u.arbitrary())?,
                free_id: opt(u, |u| u.arbitrary())?,
            })
        })?,
        field_level: u.arbitrary()?,
    })
}

fn data<'a>(u: &mut Unstructured<'a>) -> Result<Data<'a>> {
    Ok(match u.int_in_range(0..=3)? {
        0 | 1 => Data::Text(s(u)?),
        2 => Data::Opaque(match s(u)? {
            Cow::Owned(t) => Cow::Owned(t.into_bytes()),
            Cow::Borrowed(t) => Cow::Borrowed(t.as_bytes()),
        }),
        _ => {
            let nodes: String = many::<_, Vec<_>>(u, 1, 3, |u| {
                Ok(format!(
                    "<Node><NodeName>{}</NodeName><Value>{}</Value></Node>",
                    name(u)?,
                    name(u)?
                ))
            })?
            .concat();
            Data::Nested(Nested {
                encoding: Encoding::Xml,
                kind: NestedKind::MgmtTree,
                raw: Cow::Owned(
                    format!(
                        "<MgmtTree xmlns=\"syncml:dmddf1.2\"><VerDTD>1.2</VerDTD>{nodes}</MgmtTree>"
                    )
                    .into_bytes(),
                ),
            })
        }
    })
}

fn item<'a>(u: &mut Unstructured<'a>) -> Result<Item<'a>> {
    Ok(Item {
        target: opt(u, location)?,
        source: opt(u, location)?,
        meta: opt(u, boxed_meta)?,
        data: opt(u, data)?,
        more_data: u.arbitrary()?,
    })
}

fn item_command<'a>(u: &mut Unstructured<'a>) -> Result<ItemCommand<'a>> {
    Ok(ItemCommand {
        cmd_id: s(u)?,
        no_resp: u.arbitrary()?,
        meta: opt(u, boxed_meta)?,
        items: many(u, 1, 3, item)?,
    })
}

#[derive(Clone, Copy)]
enum Ctx {
    Body,
    Atomic,
    Sequence,
}

fn command<'a>(u: &mut Unstructured<'a>, ctx: Ctx) -> Result<Command<'a>> {
    // Commands each context allows: 0 Add, 1 Alert, 2 Copy, 3 Delete, 4 Replace, 5 Get,
    // 6 Exec, 7 Atomic, 8 Sequence, 9 Results, 10 Status.
    let choices: &[u8] = match ctx {
        Ctx::Body => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        Ctx::Atomic => &[0, 1, 2, 3, 4],
        Ctx::Sequence => &[0, 1, 2, 3, 4, 5, 6, 7],
    };
    let container = |u: &mut Unstructured<'a>, inner: Ctx| -> Result<Container<'a>> {
        Ok(Container {
            cmd_id: s(u)?,
            no_resp: u.arbitrary()?,
            meta: opt(u, boxed_meta)?,
            commands: many(u, 1, 3, |u| command(u, inner))?,
        })
    };
    Ok(match *u.choose(choices)? {
        0 => Command::Add(item_command(u)?),
        1 => Command::Alert(Alert {
            cmd_id: s(u)?,
            no_resp: u.arbitrary()?,
            code: AlertCode::from_code(u.arbitrary()?),
            correlator: opt(u, s)?,
            items: many(u, 0, 3, item)?,
        }),
        2 => Command::Copy(item_command(u)?),
        3 => Command::Delete(item_command(u)?),
        4 => Command::Replace(item_command(u)?),
        5 => Command::Get(item_command(u)?),
        6 => Command::Exec(Exec {
            cmd_id: s(u)?,
            no_resp: u.arbitrary()?,
            meta: opt(u, boxed_meta)?,
            correlator: opt(u, s)?,
            items: many(u, 1, 2, item)?,
        }),
        7 => Command::Atomic(container(u, Ctx::Atomic)?),
        8 => Command::Sequence(container(u, Ctx::Sequence)?),
        9 => Command::Results(Results {
            cmd_id: s(u)?,
            msg_ref: opt(u, s)?,
            cmd_ref: s(u)?,
            meta: opt(u, boxed_meta)?,
            target_ref: opt(u, s)?,
            source_ref: opt(u, s)?,
            items: many(u, 1, 3, item)?,
        }),
        _ => Command::Status(Status {
            cmd_id: s(u)?,
            msg_ref: s(u)?,
            cmd_ref: s(u)?,
            cmd: s(u)?,
            target_refs: many(u, 0, 2, s)?,
            source_refs: many(u, 0, 2, s)?,
            chal: opt(u, |u| Ok(Box::new(Chal { meta: meta(u)? })))?,
            code: StatusCode::from_code(u.arbitrary()?),
            items: many(u, 0, 2, item)?,
        }),
    })
}

impl<'a> Arbitrary<'a> for Message<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Message {
            header: SyncHdr {
                ver_dtd: s(u)?,
                ver_proto: s(u)?,
                session_id: s(u)?,
                msg_id: s(u)?,
                target: location(u)?,
                source: location(u)?,
                resp_uri: opt(u, s)?,
                no_resp: u.arbitrary()?,
                cred: opt(u, |u| {
                    Ok(Cred {
                        meta: opt(u, boxed_meta)?,
                        data: s(u)?,
                    })
                })?,
                meta: opt(u, boxed_meta)?,
            },
            body: SyncBody {
                commands: many(u, 0, 6, |u| command(u, Ctx::Body))?,
                final_flag: u.arbitrary()?,
            },
        })
    }
}
