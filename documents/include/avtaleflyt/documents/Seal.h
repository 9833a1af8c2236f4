#pragma once
// The installation's seal: an RSA key and its certificate, and PAdES signatures with them
// (CMS built with OpenSSL, SubFilter ETSI.CAdES.detached, SHA-256).

#include <memory>
#include <stdexcept>
#include <string>

#include "avtaleflyt/documents/PosixEnv.h"

namespace avtaleflyt::documents {

class SealError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class SealKey {
  public:
    // Creates a 2048-bit RSA key and a self-signed certificate (valid ten years) for
    // `commonName`, written as PEM files (key readable by the owner only), through temporary
    // files renamed into place, through `env` (its random numbers for the serial number).
    // Throws SealError.
    static void create(const std::string& certPath, const std::string& keyPath,
                       const std::string& commonName, Env& env = defaultEnv());
    // Loads PEM files, or a PKCS#12 file, read through `env`. Throws SealError naming the
    // file and the cause.
    static SealKey loadPem(const std::string& certPath, const std::string& keyPath,
                           Env& env = defaultEnv());
    static SealKey loadPkcs12(const std::string& path, const std::string& password,
                              Env& env = defaultEnv());

    ~SealKey();
    SealKey(SealKey&&) noexcept;

    const std::string& subject() const;  // the certificate's common name
    // A detached CMS (CAdES) signature over `data`, DER.
    std::string sign(const std::string& data) const;
    // The SHA-256 of the certificate's DER encoding (hex): what names this seal elsewhere.
    std::string certificateSha256() const;

  private:
    struct Keys;
    explicit SealKey(std::unique_ptr<Keys> keys);
    std::unique_ptr<Keys> keys_;
};

struct SealCheck {
    bool sealed = false;         // the PDF carries a signature
    bool valid = false;          // its digest and signature are right
    bool wholeDocument = false;  // the signed byte range covers the whole file
    std::string signer;          // the certificate's common name
    std::string subFilter;
    std::string problem;  // why it is not valid
};

// A detached CMS signature (as SealKey::sign makes, e.g. an archive package's
// manifest.sha256.p7s) checked against the bytes it signs, without trusting any certificate
// chain: what `openssl cms -verify -binary -inform DER -content DATA -noverify` checks.
struct DetachedCheck {
    bool valid = false;
    std::string signer;             // the signing certificate's common name
    std::string certificateSha256;  // its fingerprint (SHA-256 of the DER, hex)
    std::string problem;            // why it is not valid
};
DetachedCheck verifyDetached(const std::string& data, const std::string& der);

// The SHA-256 fingerprint (hex) of a certificate given as PEM. Throws SealError when it is not
// one.
std::string certificateSha256(const std::string& pem);

// Checks the last signature of a PDF without trusting any certificate chain: the digest of the
// signed byte ranges against the CMS, and the CMS signature against its certificate.
SealCheck verifySeal(const std::string& pdf);

// Checks many seals, as verifySeal does, faster: it keeps the public key of each certificate it
// has seen, and reads the CMS itself when it has the shape this project writes (one signer
// named by issuer and serial, RSA, SHA-256, signed attributes), leaving anything else to
// OpenSSL's CMS parser. One per thread.
class SealVerifier {
  public:
    SealVerifier();  // throws SealError if OpenSSL has no SHA-256
    ~SealVerifier();
    SealVerifier(SealVerifier&&) noexcept;

    // As verifySeal. When `fileSha256` is given it receives the hex SHA-256 of the whole file,
    // computed in the same pass as the seal's digest.
    SealCheck check(const std::string& pdf, std::string* fileSha256 = nullptr);

  private:
    SealCheck checkSeal(const std::string& pdf, std::string* fileSha256);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace avtaleflyt::documents
