package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress is returned when Options.PublicOnly refuses to connect
// to an address that is not on the public internet.
var ErrForbiddenAddress = errors.New("address not allowed: loopback, private, link-local, multicast or unspecified")

// publicOnly is a net.Dialer Control function refusing every address that
// is not a public unicast one. It runs after DNS resolution, on the address
// actually dialled, for every connection — redirects included — so neither
// a hostname resolving to 127.0.0.1 nor a redirect to 169.254.169.254 gets
// through, and DNS rebinding between check and use is impossible.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if !Public(ip) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ip)
	}
	return nil
}

// Public reports whether ip is a public unicast address: not loopback,
// private (RFC 1918, fc00::/7), link-local (incl. cloud metadata
// 169.254.169.254), multicast, unspecified, CGNAT (100.64/10), benchmarking
// (198.18/15), reserved (240/4), an IPv4-mapped form of those, or an IPv6
// address that embeds an IPv4 one a gateway would reach (NAT64 64:ff9b::/96
// and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32): behind such a
// gateway those lead to private IPv4 addresses.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified():
		return false
	case ip.Is4() && cgnat.Contains(ip), ip.Is4() && ip.As4()[0] == 0, ip == broadcast:
		return false
	case ip.Is4() && (benchmarking.Contains(ip) || reserved4.Contains(ip)):
		return false
	case nat64.Contains(ip), nat64Local.Contains(ip), sixToFour.Contains(ip), teredo.Contains(ip):
		return false
	}
	return true
}

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	broadcast = netip.MustParseAddr("255.255.255.255")

	benchmarking = netip.MustParsePrefix("198.18.0.0/15")
	reserved4    = netip.MustParsePrefix("240.0.0.0/4")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredo       = netip.MustParsePrefix("2001::/32")
)
