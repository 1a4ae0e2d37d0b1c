package directory_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// negativeSerialCertificate is a self-signed certificate whose serial number is negative, as
// about half of Samba's self-generated ones are (Go refuses to make one: the serial is patched
// after signing, which leaves the signature wrong; Go rejects the serial before it looks at
// that).
func negativeSerialCertificate(t *testing.T) (der []byte, key *ecdsa.PrivateKey) {
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
	der = bytes.Clone(der)
	der[at+2] |= 0x80
	if _, err := x509.ParseCertificate(der); err == nil || !strings.Contains(err.Error(), "negative serial number") {
		t.Fatalf("the patched certificate parses: %v", err)
	}
	return der, key
}

// A CA PEM that holds a certificate Go refuses to parse is not called empty: the error says it
// holds one, why Go refuses it, and what to do.
func TestCACertificateWithNegativeSerial(t *testing.T) {
	der, _ := negativeSerialCertificate(t)
	cfg := directory.Config{URL: "ldaps://dc1.test.lan", CACertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
	err := cfg.Validate()
	t.Logf("%v", err)
	for _, want := range []string{"holds a certificate Go refuses to parse", "negative serial number", "Samba", "GODEBUG=x509negativeserial=1"} {
		if !errors.Is(err, directory.ErrInvalidConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("want ErrInvalidConfig saying %q, got %v", want, err)
		}
	}
	cfg.CACertPEM = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "holds no certificate") {
		t.Errorf("a PEM without a certificate: %v", err)
	}
}

// A server whose certificate has a negative serial fails the handshake even when the
// certificate is not verified, with ErrCertificate and the reason.
func TestServerCertificateWithNegativeSerial(t *testing.T) {
	der, key := negativeSerialCertificate(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_ = conn.(*tls.Conn).Handshake()
			_ = conn.Close()
		}
	}()
	cfg := directory.Config{URL: "ldaps://" + l.Addr().(*net.TCPAddr).String(), InsecureSkipVerify: true, Timeout: testTimeout}
	err = newClient(t, cfg).Ping(testContext(t))
	t.Logf("%v", err)
	if !errors.Is(err, directory.ErrCertificate) || !strings.Contains(err.Error(), "negative serial number") || !strings.Contains(err.Error(), "GODEBUG") {
		t.Errorf("want ErrCertificate explaining the negative serial, got %v", err)
	}
}
