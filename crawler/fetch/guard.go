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
// 169.254.169.254), multicast, unspecified, CGNAT (100.64/10) or an
// IPv4-mapped form of those.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified():
		return false
	case ip.Is4() && cgnat.Contains(ip), ip.Is4() && ip.As4()[0] == 0, ip == broadcast:
		return false
	}
	return true
}

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	broadcast = netip.MustParseAddr("255.255.255.255")
)
