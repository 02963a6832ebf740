//! Inputs for the criterion benchmarks, generated so that every run measures the same
//! realistic DM traffic without reading files.

use std::fmt::Write;

#[cfg(feature = "libwbxml")]
pub mod libwbxml;
pub mod session;

const HEADER: &str = r#"<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID><MsgID>2</MsgID><Target><LocURI>IMEI:353918050231873</LocURI></Target><Source><LocURI>https://dm.example.com/oma-dm</LocURI></Source></SyncHdr>"#;

fn message(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns="SYNCML:SYNCML1.2">{HEADER}<SyncBody>{body}<Final/></SyncBody></SyncML>"#
    )
}

/// A Status reply to a server's header (about 200 bytes of body).
pub fn status_reply() -> String {
    message("<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>")
}

/// A typical server package: Add, Replace, Exec and Get (3–5 KB).
pub fn server_package() -> String {
    let mut body = String::new();
    for i in 0..8 {
        let _ = write!(
            body,
            r#"<Replace><CmdID>{}</CmdID><Meta><Format xmlns="syncml:metinf">chr</Format><Type xmlns="syncml:metinf">text/plain</Type></Meta><Item><Target><LocURI>./DMAcc/Example/Setting{i}</LocURI></Target><Data>value number {i}</Data></Item></Replace>"#,
            i + 1
        );
    }
    body.push_str(r#"<Add><CmdID>20</CmdID><Item><Target><LocURI>./SCOMO/Download/Maps</LocURI></Target><Meta><Format xmlns="syncml:metinf">node</Format></Meta></Item><Item><Target><LocURI>./SCOMO/Download/Maps/PkgID</LocURI></Target><Data>org.example.maps-2.4.1</Data></Item><Item><Target><LocURI>./SCOMO/Download/Maps/PkgURL</LocURI></Target><Data>https://dl.example.org/maps-2.4.1.pkg</Data></Item></Add>"#);
    body.push_str(r#"<Exec><CmdID>21</CmdID><Correlator>op-1</Correlator><Item><Target><LocURI>./SCOMO/Download/Maps/Operations/DownloadInstall</LocURI></Target></Item></Exec>"#);
    for (i, uri) in [
        "./DevInfo/Mod",
        "./DevInfo/Man",
        "./DevDetail/SwV",
        "./SCOMO/Inventory/Deployed",
    ]
    .iter()
    .enumerate()
    {
        let _ = write!(
            body,
            r#"<Get><CmdID>{}</CmdID><Item><Target><LocURI>{uri}</LocURI></Target></Item></Get>"#,
            22 + i
        );
    }
    message(&body)
}

/// A SCOMO inventory Results with `components` deployed components (2,000 make ~500 KB).
pub fn inventory_results(components: usize) -> String {
    let mut body = String::from("<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef>");
    for i in 0..components {
        for (leaf, value) in [
            ("ID", format!("com.example.app{i}")),
            ("Version", format!("1.{i}.0")),
        ] {
            let _ = write!(
                body,
                r#"<Item><Source><LocURI>./SCOMO/Inventory/Deployed/App{i}/{leaf}</LocURI></Source><Data>{value}</Data></Item>"#
            );
        }
    }
    body.push_str("</Results>");
    message(&body)
}

/// Converts generated XML to WBXML with the crate under test.
pub fn to_wbxml(xml: &str) -> Vec<u8> {
    wbxml::transcode::xml_to_wbxml(xml.as_bytes(), &Default::default()).unwrap_or_default()
}

/// quick-xml's raw borrowed event loop: the floor for any decoder built on it. Returns the
/// event count so the work cannot be optimised away.
pub fn quick_xml_raw_loop(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
}

const SYNCML_HDR: &str =
    "<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID>\
<MsgID>1</MsgID><Target><LocURI>IMEI:353918050231873</LocURI></Target><Source>\
<LocURI>https://dm.example.com/oma-dm</LocURI><LocName>ExampleDM</LocName></Source><Meta>\
<MaxMsgSize xmlns=\"syncml:metinf\">16384</MaxMsgSize></Meta></SyncHdr>";

/// A server package: Replace commands with Meta and two items each, no references.
pub fn syncml_plain(commands: usize) -> String {
    let mut body = String::new();
    for i in 0..commands {
        body.push_str(&format!(
            "\n  <Replace>\n    <CmdID>{i}</CmdID>\n    <Meta><Format xmlns=\"syncml:metinf\">chr</Format>\
             <Type xmlns=\"syncml:metinf\">text/plain</Type></Meta>\n    <Item>\n      <Target>\
             <LocURI>./SCOMO/Inventory/Deployed/App{i}/Name</LocURI></Target>\n      <Data>Weather {i}\
             </Data>\n    </Item>\n    <Item>\n      <Target><LocURI>./SCOMO/Inventory/Deployed/App{i}/\
             Version</LocURI></Target>\n      <Data>2.4.{i}</Data>\n    </Item>\n  </Replace>"
        ));
    }
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SyncML xmlns=\"SYNCML:SYNCML1.2\">{SYNCML_HDR}<SyncBody>{body}\n<Final/></SyncBody></SyncML>")
}

/// Status and Results like dm12/04: every Data carries entity and character references.
pub fn syncml_dense(commands: usize) -> String {
    let mut body = String::new();
    for i in 0..commands {
        body.push_str(&format!(
            "\n  <Status><CmdID>{i}</CmdID><MsgRef>1</MsgRef><CmdRef>{i}</CmdRef><Cmd>Get</Cmd>\
             <TargetRef>./Vendor/A&amp;B/{i}</TargetRef><Data>200</Data></Status>\
             \n  <Results><CmdID>{i}</CmdID><MsgRef>1</MsgRef><CmdRef>{i}</CmdRef><Item><Source>\
             <LocURI>./Vendor/Support/Message{i}</LocURI></Source><Meta><Format xmlns=\"syncml:metinf\">chr\
             </Format></Meta><Data>Caf&#233; &amp; cr&#xE8;me &lt;b&gt;fra&#xEE;che&lt;/b&gt; \
             &quot;{i}&quot; &#x4E2D;&#x6587; &apos;ok&apos;</Data></Item></Results>"
        ));
    }
    format!("<SyncML xmlns=\"SYNCML:SYNCML1.2\">{SYNCML_HDR}<SyncBody>{body}\n</SyncBody></SyncML>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_have_the_advertised_sizes_and_convert() {
        assert!(
            (250..450).contains(&status_reply().len()),
            "{}",
            status_reply().len()
        );
        assert!(
            (3000..5200).contains(&server_package().len()),
            "{}",
            server_package().len()
        );
        let inventory = inventory_results(2000);
        assert!(
            (400_000..700_000).contains(&inventory.len()),
            "{}",
            inventory.len()
        );
        for xml in [status_reply(), server_package(), inventory] {
            assert!(!to_wbxml(&xml).is_empty());
            assert!(quick_xml_raw_loop(&xml) > 10);
        }
    }
}
