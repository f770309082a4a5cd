//! The little networking a sandbox needs: bringing an interface up, and
//! the addresses of this network namespace (for the pod's and host's IP).

use std::ffi::CStr;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::cvt;

/// Sets `IFF_UP` on interface `name` (`lo` in a new network namespace,
/// which starts down), with SIOCGIFFLAGS/SIOCSIFFLAGS (netdevice(7)).
// The request's type is c_ulong with glibc and c_int with musl.
#[allow(clippy::unnecessary_cast)]
pub fn set_link_up(name: &CStr) -> io::Result<()> {
    // SAFETY: socket(2) with constant arguments; the descriptor is owned
    // at once.
    let fd = cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: fd was just created and nothing else owns it.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: an all-zero ifreq is valid; the name is copied in bounded.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    let bytes = name.to_bytes();
    if bytes.len() >= req.ifr_name.len() {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    for (dst, src) in req.ifr_name.iter_mut().zip(bytes) {
        *dst = *src as libc::c_char;
    }
    // SAFETY: the ioctls read and write the ifreq we own.
    unsafe {
        cvt(libc::ioctl(
            sock.as_raw_fd(),
            libc::SIOCGIFFLAGS as libc::Ioctl,
            &mut req,
        ))?;
        req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        cvt(libc::ioctl(
            sock.as_raw_fd(),
            libc::SIOCSIFFLAGS as libc::Ioctl,
            &req,
        ))?;
    }
    Ok(())
}

/// Every address of every interface that is up, with its interface name,
/// from getifaddrs(3).
pub fn addresses() -> io::Result<Vec<(String, IpAddr)>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list freed below.
    cvt(unsafe { libc::getifaddrs(&mut head) })?;
    let mut out = Vec::new();
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getifaddrs returned.
        let entry = unsafe { &*cur };
        cur = entry.ifa_next;
        if entry.ifa_addr.is_null() || entry.ifa_flags & libc::IFF_UP as libc::c_uint == 0 {
            continue;
        }
        // SAFETY: ifa_name is a NUL-terminated string of the list.
        let name = unsafe { CStr::from_ptr(entry.ifa_name) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: ifa_addr points to a sockaddr whose family says its type.
        let family = i32::from(unsafe { (*entry.ifa_addr).sa_family });
        let addr = match family {
            libc::AF_INET => {
                // SAFETY: an AF_INET address is a sockaddr_in.
                let sin = unsafe { &*entry.ifa_addr.cast::<libc::sockaddr_in>() };
                IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)))
            }
            libc::AF_INET6 => {
                // SAFETY: an AF_INET6 address is a sockaddr_in6.
                let sin6 = unsafe { &*entry.ifa_addr.cast::<libc::sockaddr_in6>() };
                IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr))
            }
            _ => continue,
        };
        out.push((name, addr));
    }
    // SAFETY: head came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    Ok(out)
}

/// The address a pod or host is known by in this network namespace: the
/// first IPv4 address that is not loopback, else the first global IPv6,
/// else 127.0.0.1.
pub fn primary_address() -> IpAddr {
    let all = addresses().unwrap_or_default();
    all.iter()
        .find(|(_, a)| matches!(a, IpAddr::V4(v4) if !v4.is_loopback()))
        .or_else(|| {
            all.iter().find(
                |(_, a)| matches!(a, IpAddr::V6(v6) if !v6.is_loopback() && !is_link_local(v6)),
            )
        })
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |(_, a)| *a)
}

fn is_link_local(v6: &Ipv6Addr) -> bool {
    v6.segments()[0] & 0xffc0 == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_namespace_has_addresses() {
        let all = addresses().unwrap();
        assert!(all.iter().any(|(name, _)| name == "lo"), "{all:?}");
        let _ = primary_address();
    }
}
