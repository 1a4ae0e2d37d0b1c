package adtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// NegativeSerialCertificate is a self-signed certificate for DC1.test.lan (in its CN only)
// whose serial number is negative, like about half of the certificates Samba generates for
// itself: Samba writes the creation time's bytes in reverse order as the serial, which is
// negative when the first of them is 0x80 or more. Go refuses to make such a certificate, so
// the serial is patched after signing, which breaks the signature; Go's parser refuses the
// serial before it would look at that.
func NegativeSerialCertificate(t testing.TB) (der []byte, key *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial := []byte{0x7a, 0xbb, 0xcc, 0xdd}
	template := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial),
		Subject:      pkix.Name{CommonName: "DC1.test.lan"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err = x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	// The serial is the DER INTEGER 02 04 7a bb cc dd; with its top bit set it is negative.
	at := bytes.Index(der, append([]byte{0x02, 0x04}, serial...))
	if at < 0 {
		t.Fatal("serial number not found in the certificate")
	}
	der[at+2] |= 0x80
	return der, key
}
