//! `ipaddress`: every address of every interface, from two rtnetlink dumps (links, then
//! addresses). Netlink is the only source of the addresses' real flags (`deprecated`):
//! `/proc/net/if_inet6` has them for IPv6 only, and nothing in `/proc` lists IPv4 prefixes.

use std::collections::HashMap;
use std::net::IpAddr;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeaderFlags, AddressMessage,
};
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};
use serde::Serialize;

use super::{Collected, SourceError};

/// One address item's `data`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct IpAddress {
    /// The interface's hardware address, empty when it has none.
    pub mac: String,
    /// The address.
    pub address: String,
    /// Whether the kernel marks it deprecated (its preferred lifetime ran out).
    pub flagdeprecated: bool,
    /// The interface name.
    pub intf: String,
    /// The prefix length.
    pub mask: u8,
    /// `ipv4` or `ipv6`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// Sends one dump request and gathers every answer until `NLMSG_DONE`.
fn dump(
    socket: &Socket,
    request: RouteNetlinkMessage,
    seq: u32,
) -> Result<Vec<RouteNetlinkMessage>, String> {
    let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(request));
    packet.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    packet.header.sequence_number = seq;
    packet.finalize();
    let mut buf = vec![0; packet.buffer_len()];
    packet.serialize(&mut buf);
    socket
        .send(&buf, 0)
        .map_err(|e| format!("netlink send: {e}"))?;
    let mut out = Vec::new();
    loop {
        let (data, _) = socket
            .recv_from_full()
            .map_err(|e| format!("netlink receive: {e}"))?;
        let mut offset = 0;
        while offset < data.len() {
            let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&data[offset..])
                .map_err(|e| format!("netlink decode: {e}"))?;
            let len = msg.header.length as usize;
            match msg.payload {
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) => return Err(format!("netlink: {e}")),
                NetlinkPayload::InnerMessage(m) => out.push(m),
                _ => {}
            }
            if len == 0 {
                break;
            }
            offset += len;
        }
    }
}

fn mac(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn read_addresses() -> Result<Vec<IpAddress>, String> {
    let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| format!("netlink socket: {e}"))?;
    socket
        .bind_auto()
        .map_err(|e| format!("netlink bind: {e}"))?;
    socket
        .connect(&SocketAddr::new(0, 0))
        .map_err(|e| format!("netlink connect: {e}"))?;
    let mut links: HashMap<u32, (String, String)> = HashMap::new();
    for m in dump(
        &socket,
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        1,
    )? {
        if let RouteNetlinkMessage::NewLink(link) = m {
            let mut name = String::new();
            let mut hw = String::new();
            for a in &link.attributes {
                match a {
                    LinkAttribute::IfName(n) => name = n.clone(),
                    LinkAttribute::Address(b) => hw = mac(b),
                    _ => {}
                }
            }
            links.insert(link.header.index, (name, hw));
        }
    }
    let mut out = Vec::new();
    for m in dump(
        &socket,
        RouteNetlinkMessage::GetAddress(AddressMessage::default()),
        2,
    )? {
        let RouteNetlinkMessage::NewAddress(addr) = m else {
            continue;
        };
        let mut local = None;
        let mut address = None;
        let mut deprecated = addr.header.flags.contains(AddressHeaderFlags::Deprecated);
        for a in &addr.attributes {
            match a {
                AddressAttribute::Local(ip) => local = Some(*ip),
                AddressAttribute::Address(ip) => address = Some(*ip),
                // IFA_FLAGS, when sent, is the full set and supersedes the header's byte.
                AddressAttribute::Flags(f) => deprecated = f.contains(AddressFlags::Deprecated),
                _ => {}
            }
        }
        // For IPv4 IFA_LOCAL is the node's own address (IFA_ADDRESS is the far end of a
        // point-to-point link); IPv6 sends IFA_ADDRESS alone.
        let Some(ip) = local.or(address) else {
            continue;
        };
        let kind = match (addr.header.family, ip) {
            (AddressFamily::Inet, _) | (_, IpAddr::V4(_)) => "ipv4",
            _ => "ipv6",
        };
        let (intf, hw) = links
            .get(&addr.header.index)
            .cloned()
            .unwrap_or_else(|| (format!("if{}", addr.header.index), String::new()));
        out.push(IpAddress {
            mac: hw,
            address: ip.to_string(),
            flagdeprecated: deprecated,
            intf,
            mask: addr.header.prefix_len,
            kind,
        });
    }
    out.sort_by(|a, b| (&a.intf, a.kind, &a.address).cmp(&(&b.intf, b.kind, &b.address)));
    Ok(out)
}

/// Collects every address.
pub(super) fn collect() -> Collected {
    match read_addresses() {
        Ok(items) => Collected::from_items(&items, Vec::new()),
        Err(e) => Collected::from_items::<IpAddress>(&[], vec![SourceError::new("rtnetlink", e)]),
    }
}
