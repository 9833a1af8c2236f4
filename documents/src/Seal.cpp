#include "avtaleflyt/documents/Seal.h"

#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/domain/Text.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <openssl/x509.h>

#include <sys/stat.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>
#include <sstream>

namespace avtaleflyt::documents {
namespace {

std::string opensslError() {
    const unsigned long e = ERR_get_error();
    if (!e)
        return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

std::string readSealFile(Env& env, const std::string& path) {
    try {
        return env.readFile(path);
    } catch (const EnvError&) {
        throw SealError(path + ": cannot read the file");
    }
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
Bio memBio(const std::string& s) {
    return Bio(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())), &BIO_free);
}

std::string bioText(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string commonName(X509* cert) {
    char buf[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
    return buf;
}

std::string fingerprint(X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), digest, &len);
    return text::hex(digest, len);
}

void writeAtomically(Env& env, const std::string& path, const std::string& content,
                     unsigned mode) {
    try {
        env.writeFileSynced(path, content, mode);
    } catch (const EnvError& e) {
        throw SealError(e.what());
    }
}

// The last occurrence of `needle` in text[begin, end), or npos. glibc's memmem, forward, is far
// faster than a backward byte-by-byte scan, and a PDF holds few occurrences of the names
// looked up.
std::size_t lastOf(const std::string& text, const char* needle, std::size_t begin = 0,
                   std::size_t end = std::string::npos) {
    const std::size_t n = std::strlen(needle);
    end = std::min(end, text.size());
    std::size_t found = std::string::npos;
    for (const char* from = text.data() + std::min(begin, end);;) {
        const void* hit =
            ::memmem(from, static_cast<std::size_t>(text.data() + end - from), needle, n);
        if (!hit)
            return found;
        found = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
        from = static_cast<const char*>(hit) + 1;
    }
}

}  // namespace

struct SealKey::Keys {
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    std::string subject;
    ~Keys() {
        X509_free(cert);
        EVP_PKEY_free(key);
    }
};

SealKey::SealKey(std::unique_ptr<Keys> keys) : keys_(std::move(keys)) {}
SealKey::~SealKey() = default;
SealKey::SealKey(SealKey&&) noexcept = default;

const std::string& SealKey::subject() const {
    return keys_->subject;
}

void SealKey::create(const std::string& certPath, const std::string& keyPath,
                     const std::string& cn, Env& env) {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (!key)
        throw SealError("cannot create the seal key: " + opensslError());
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> keyGuard(key, &EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    std::string serial;
    try {
        serial = env.randomBytes(8);
    } catch (const EnvError& e) {
        throw SealError(std::string("cannot create the seal certificate: ") + e.what());
    }
    serial[0] = static_cast<char>(serial[0] & 0x7f);  // a positive INTEGER
    std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()), 8, nullptr), &BN_free);
    BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("avtaleflyt"), -1, -1, 0);
        X509_set_issuer_name(cert.get(), name);
    // What a seal certificate declares: not a CA, for signatures that cannot be repudiated, and
    // a key identifier (so CMS may name the signer by it).
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] :
         {std::pair<int, const char*>{NID_basic_constraints, "critical,CA:FALSE"},
          {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
          {NID_subject_key_identifier, "hash"}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        if (!ext || !X509_add_ext(cert.get(), ext, -1)) {
            X509_EXTENSION_free(ext);
            throw SealError("cannot create the seal certificate: " + opensslError());
        }
        X509_EXTENSION_free(ext);
    }
    if (!X509_sign(cert.get(), key, EVP_sha256()))
        throw SealError("cannot create the seal certificate: " + opensslError());

    Bio certOut(BIO_new(BIO_s_mem()), &BIO_free), keyOut(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_X509(certOut.get(), cert.get());
    PEM_write_bio_PrivateKey(keyOut.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    writeAtomically(env, keyPath, bioText(keyOut.get()), 0600);
    writeAtomically(env, certPath, bioText(certOut.get()), 0644);
}

SealKey SealKey::loadPem(const std::string& certPath, const std::string& keyPath, Env& env) {
    auto keys = std::make_unique<Keys>();
    const std::string certPem = readSealFile(env, certPath), keyPem = readSealFile(env, keyPath);
    keys->cert = PEM_read_bio_X509(memBio(certPem).get(), nullptr, nullptr, nullptr);
    if (!keys->cert)
        throw SealError(certPath + ": not a PEM certificate (" + opensslError() + ")");
    keys->key = PEM_read_bio_PrivateKey(memBio(keyPem).get(), nullptr, nullptr, nullptr);
    if (!keys->key)
        throw SealError(keyPath + ": not a PEM private key (" + opensslError() + ")");
    if (X509_check_private_key(keys->cert, keys->key) != 1)
        throw SealError(keyPath + ": the key does not belong to the certificate in " + certPath);
    keys->subject = commonName(keys->cert);
    return SealKey(std::move(keys));
}

SealKey SealKey::loadPkcs12(const std::string& path, const std::string& password, Env& env) {
    const std::string der = readSealFile(env, path);
    std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(d2i_PKCS12_bio(memBio(der).get(), nullptr),
                                                        &PKCS12_free);
    if (!p12)
        throw SealError(path + ": not a PKCS#12 file (" + opensslError() + ")");
    auto keys = std::make_unique<Keys>();
    if (!PKCS12_parse(p12.get(), password.c_str(), &keys->key, &keys->cert, nullptr) ||
        !keys->cert || !keys->key)
        throw SealError(path + ": cannot open the PKCS#12 file (wrong password?)");
    keys->subject = commonName(keys->cert);
    return SealKey(std::move(keys));
}

std::string SealKey::sign(const std::string& data) const {
    Bio in = memBio(data);
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        CMS_sign(keys_->cert, keys_->key, nullptr, in.get(),
                 CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES),
        &CMS_ContentInfo_free);
    if (!cms)
        throw SealError("cannot seal: " + opensslError());
    Bio out(BIO_new(BIO_s_mem()), &BIO_free);
    if (!i2d_CMS_bio(out.get(), cms.get()))
        throw SealError("cannot seal: " + opensslError());
    return bioText(out.get());
}

std::string SealKey::certificateSha256() const {
    return fingerprint(keys_->cert);
}

std::string certificateSha256(const std::string& pem) {
    const Bio in = memBio(pem);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!cert)
        throw SealError("not a PEM certificate: " + opensslError());
    return fingerprint(cert.get());
}

DetachedCheck verifyDetached(const std::string& data, const std::string& der) {
    DetachedCheck check;
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())), &CMS_ContentInfo_free);
    if (!cms) {
        ERR_clear_error();
        check.problem = "not a CMS signature";
        return check;
    }
    const std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certs(
        CMS_get1_certs(cms.get()), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (!infos || sk_CMS_SignerInfo_num(infos) != 1 || !certs || sk_X509_num(certs.get()) != 1) {
        check.problem = "not one signer with its certificate";
        return check;
    }
    X509* cert = sk_X509_value(certs.get(), 0);
    check.signer = commonName(cert);
    check.certificateSha256 = fingerprint(cert);
    const Bio content = memBio(data);
    if (CMS_verify(cms.get(), nullptr, nullptr, content.get(), nullptr,
                   CMS_BINARY | CMS_DETACHED | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
        check.problem = "the signature does not match: " + opensslError();
        ERR_clear_error();
        return check;
    }
    check.valid = true;
    return check;
}

namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// A DER element reader over a byte span, enough for the CMS this project writes. Only
// single-byte tags and definite lengths up to 4 bytes; anything else ends the reading (the
// caller then falls back to OpenSSL's parser).
struct Der {
    const unsigned char* p = nullptr;
    std::size_t n = 0;

    bool empty() const { return n == 0; }
    bool equals(const unsigned char* bytes, std::size_t size) const {
        return n == size && std::memcmp(p, bytes, size) == 0;
    }
    // Reads the next element: its tag, its content, and the whole element with its header.
    bool next(unsigned char& tag, Der& content, Der* whole = nullptr) {
        if (n < 2 || (p[0] & 0x1f) == 0x1f)
            return false;
        std::size_t len = p[1], header = 2;
        if (len & 0x80) {
            const std::size_t k = len & 0x7f;
            if (k == 0 || k > 4 || n < 2 + k)
                return false;
            len = 0;
            for (std::size_t i = 0; i < k; ++i) len = len << 8 | p[2 + i];
            header += k;
        }
        if (n - header < len)
            return false;
        tag = p[0];
        content = {p + header, len};
        if (whole)
            *whole = {p, header + len};
        p += header + len;
        n -= header + len;
        return true;
    }
    bool expect(unsigned char wanted, Der& content, Der* whole = nullptr) {
        unsigned char tag = 0;
        return next(tag, content, whole) && tag == wanted;
    }
};

// The parts of a CMS SignedData with one signer that the fast check needs.
struct SignedDataParts {
    std::vector<Der> certificates;
    Der signerId;           // IssuerAndSerialNumber's content
    Der signedAttributes;   // the whole [0] element; signed with the SET tag instead
    Der messageDigest;      // the messageDigest attribute's value
    Der signature;
};

// DER object identifiers (content bytes).
constexpr unsigned char kSignedData[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
constexpr unsigned char kSha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
constexpr unsigned char kRsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
constexpr unsigned char kSha256Rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
constexpr unsigned char kMessageDigest[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                            0x0d, 0x01, 0x09, 0x04};

// Reads a CMS of the shape this project writes: SignedData, one signer identified by issuer
// and serial number, SHA-256, RSA, signed attributes with one messageDigest. Nothing else.
std::optional<SignedDataParts> readSignedData(const std::string& der) {
    SignedDataParts parts;
    Der all{reinterpret_cast<const unsigned char*>(der.data()), der.size()};
    Der contentInfo, type, explicitContent, signedData, item;
    if (!all.expect(0x30, contentInfo) || !contentInfo.expect(0x06, type) ||
        !type.equals(kSignedData, sizeof kSignedData) ||
        !contentInfo.expect(0xa0, explicitContent) || !explicitContent.expect(0x30, signedData) ||
        !signedData.expect(0x02, item) || !signedData.expect(0x31, item) ||
        !signedData.expect(0x30, item))
        return std::nullopt;
    unsigned char tag = 0;
    if (!signedData.next(tag, item))
        return std::nullopt;
    if (tag == 0xa0) {
        for (Der cert, content; !item.empty();) {
            if (!item.expect(0x30, content, &cert))
                return std::nullopt;
            parts.certificates.push_back(cert);
        }
        if (!signedData.next(tag, item))
            return std::nullopt;
    }
    if (tag == 0xa1 && !signedData.next(tag, item))
        return std::nullopt;
    Der signerInfos = item, signerInfo, algorithm, oid, attributes;
    if (tag != 0x31 || !signedData.empty() || !signerInfos.expect(0x30, signerInfo) ||
        !signerInfos.empty() || !signerInfo.expect(0x02, item) ||
        !signerInfo.expect(0x30, parts.signerId) || !signerInfo.expect(0x30, algorithm) ||
        !algorithm.expect(0x06, oid) || !oid.equals(kSha256, sizeof kSha256) ||
        !signerInfo.expect(0xa0, attributes, &parts.signedAttributes) ||
        !signerInfo.expect(0x30, algorithm) || !algorithm.expect(0x06, oid) ||
        !(oid.equals(kRsa, sizeof kRsa) || oid.equals(kSha256Rsa, sizeof kSha256Rsa)) ||
        !signerInfo.expect(0x04, parts.signature))
        return std::nullopt;
    int digests = 0;
    for (Der attribute, values; !attributes.empty();) {
        if (!attributes.expect(0x30, attribute) || !attribute.expect(0x06, oid) ||
            !attribute.expect(0x31, values))
            return std::nullopt;
        if (oid.equals(kMessageDigest, sizeof kMessageDigest)) {
            ++digests;
            if (!values.expect(0x04, parts.messageDigest) || !values.empty())
                return std::nullopt;
        }
    }
    if (digests != 1)
        return std::nullopt;
    return parts;
}

// The two signed parts of a PDF: [0, first) and [second, second + secondSize).
struct ByteRange {
    std::size_t first = 0, second = 0, secondSize = 0;
};

// OpenSSL's CMS parser, for signatures of another shape than this project writes.
// CMS_verify does the same but sets up far more than this needs: check the signer's signature
// over the signed attributes, then the messageDigest attribute against the digest of the two
// signed byte ranges.
SealCheck checkCms(SealCheck check, const std::string& pdf, const ByteRange& range,
                   const std::string& der, const unsigned char* sha256Digest,
                   unsigned int sha256Size) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())), &CMS_ContentInfo_free);
    if (!cms) {
        check.problem = "the seal's signature is not a CMS structure";
        return check;
    }
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certs(
        CMS_get1_certs(cms.get()), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
    if (!infos || sk_CMS_SignerInfo_num(infos) != 1 || !certs || sk_X509_num(certs.get()) == 0) {
        check.problem = "the seal's signature has no single signer with a certificate";
        return check;
    }
    CMS_SignerInfo* signer = sk_CMS_SignerInfo_value(infos, 0);
    X509* cert = nullptr;
    for (int k = 0; k < sk_X509_num(certs.get()); ++k)
        if (CMS_SignerInfo_cert_cmp(signer, sk_X509_value(certs.get(), k)) == 0)
            cert = sk_X509_value(certs.get(), k);
    if (!cert) {
        check.problem = "the seal's signer certificate is missing";
        return check;
    }
    check.signer = commonName(cert);
    CMS_SignerInfo_set1_signer_cert(signer, cert);
    if (CMS_SignerInfo_verify(signer) != 1) {
        check.problem = "the seal's signature does not verify (" + opensslError() + ")";
        return check;
    }
    const ASN1_OCTET_STRING* expected =
        static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
            signer, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
    X509_ALGOR* digestAlgorithm = nullptr;
    CMS_SignerInfo_get0_algs(signer, nullptr, nullptr, &digestAlgorithm, nullptr);
    const ASN1_OBJECT* digestOid = nullptr;
    if (digestAlgorithm)
        X509_ALGOR_get0(&digestOid, nullptr, nullptr, digestAlgorithm);
    const int digestNid = digestOid ? OBJ_obj2nid(digestOid) : NID_undef;
    const EVP_MD* md = digestNid == NID_sha256 ? EVP_sha256()
                       : digestOid             ? EVP_get_digestbyobj(digestOid)
                                               : nullptr;
    if (!expected || !md) {
        check.problem = "the seal's signature has no message digest";
        return check;
    }
    unsigned char other[EVP_MAX_MD_SIZE];
    const unsigned char* digest = sha256Digest;
    unsigned int len = sha256Size;
    if (digestNid != NID_sha256) {
        MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
        EVP_DigestInit_ex(ctx.get(), md, nullptr);
        EVP_DigestUpdate(ctx.get(), pdf.data(), range.first);
        EVP_DigestUpdate(ctx.get(), pdf.data() + range.second, range.secondSize);
        EVP_DigestFinal_ex(ctx.get(), other, &len);
        digest = other;
    }
    if (static_cast<unsigned int>(ASN1_STRING_length(expected)) != len ||
        std::memcmp(ASN1_STRING_get0_data(expected), digest, len) != 0) {
        check.problem = "the document was changed after it was sealed (digest mismatch)";
        return check;
    }
    check.valid = true;
    return check;
}

}  // namespace

// A certificate seen before: its public key ready to verify, and how CMS names it.
struct SealVerifier::Impl {
    struct Signer {
        std::string certificate;   // DER
        std::string issuerSerial;  // DER content of IssuerAndSerialNumber
        std::string commonName;
        std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> verify{nullptr,
                                                                           &EVP_PKEY_CTX_free};
    };
    std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256{EVP_MD_fetch(nullptr, "SHA2-256", nullptr),
                                                           &EVP_MD_free};
    MdCtx range{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    MdCtx whole{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    std::vector<Signer> signers;  // a handful: cleared when it reaches kMaxSigners
    static constexpr std::size_t kMaxSigners = 16;

    // The signer for one of `certificates` named by `signerId`; null if none (or unusable).
    const Signer* signer(const std::vector<Der>& certificates, const Der& signerId) {
        for (const Der& der : certificates) {
            const std::string_view bytes(reinterpret_cast<const char*>(der.p), der.n);
            const Signer* known = nullptr;
            for (const Signer& s : signers)
                if (s.certificate == bytes)
                    known = &s;
            if (!known)
                known = remember(der);
            if (known && signerId.equals(reinterpret_cast<const unsigned char*>(
                                             known->issuerSerial.data()),
                                         known->issuerSerial.size()))
                return known;
        }
        return nullptr;
    }

    const Signer* remember(const Der& der) {
        const unsigned char* p = der.p;
        std::unique_ptr<X509, decltype(&X509_free)> cert(
            d2i_X509(nullptr, &p, static_cast<long>(der.n)), &X509_free);
        EVP_PKEY* key = cert ? X509_get0_pubkey(cert.get()) : nullptr;
        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
            return nullptr;
        Signer s;
        s.certificate.assign(reinterpret_cast<const char*>(der.p), der.n);
        s.commonName = commonName(cert.get());
        unsigned char* out = nullptr;
        int len = i2d_X509_NAME(X509_get_issuer_name(cert.get()), &out);
        if (len <= 0)
            return nullptr;
        s.issuerSerial.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
        OPENSSL_free(out);
        out = nullptr;
        len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert.get()), &out);
        if (len <= 0)
            return nullptr;
        s.issuerSerial.append(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
        OPENSSL_free(out);
        s.verify.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
        if (!s.verify || EVP_PKEY_verify_init(s.verify.get()) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(s.verify.get(), RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(s.verify.get(), sha256.get()) != 1) {
            ERR_clear_error();
            return nullptr;
        }
        if (signers.size() >= kMaxSigners)
            signers.clear();
        signers.push_back(std::move(s));
        return &signers.back();
    }
};

SealVerifier::SealVerifier() : impl_(std::make_unique<Impl>()) {
    if (!impl_->sha256 || !impl_->range || !impl_->whole)
        throw SealError("cannot set up SHA-256: " + opensslError());
}
SealVerifier::~SealVerifier() = default;
SealVerifier::SealVerifier(SealVerifier&&) noexcept = default;

SealCheck SealVerifier::check(const std::string& pdf, std::string* fileSha256) {
    if (fileSha256)
        fileSha256->clear();
    SealCheck check = checkSeal(pdf, fileSha256);
    if (fileSha256 && fileSha256->empty()) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestInit_ex(impl_->whole.get(), impl_->sha256.get(), nullptr);
        EVP_DigestUpdate(impl_->whole.get(), pdf.data(), pdf.size());
        EVP_DigestFinal_ex(impl_->whole.get(), digest, &len);
        *fileSha256 = text::hex(digest, len);
    }
    return check;
}

SealCheck SealVerifier::checkSeal(const std::string& pdf, std::string* fileSha256) {
    SealCheck check;
    const auto br = lastOf(pdf, "/ByteRange");
    if (br == std::string::npos) {
        check.problem = "the document carries no seal";
        return check;
    }
    check.sealed = true;
    long long r[4] = {0, 0, 0, 0};
    const auto open = pdf.find('[', br);
    if (open == std::string::npos ||
        std::sscanf(pdf.c_str() + open + 1, "%lld %lld %lld %lld", &r[0], &r[1], &r[2], &r[3]) !=
            4 ||
        r[0] != 0 || r[1] < 0 || r[2] < r[1] || r[3] < 0 ||
        static_cast<unsigned long long>(r[2]) > pdf.size() ||
        static_cast<unsigned long long>(r[3]) > pdf.size() - static_cast<std::size_t>(r[2])) {
        check.problem = "the seal's byte range is malformed";
        return check;
    }
    const ByteRange range{static_cast<std::size_t>(r[1]), static_cast<std::size_t>(r[2]),
                          static_cast<std::size_t>(r[3])};
    const std::size_t first = range.first, second = range.second, secondSize = range.secondSize;
    check.wholeDocument = second + secondSize == pdf.size();
    // The signature is the hex string between the two signed ranges: <...>, a DER structure
    // padded with zeros. Only the DER's own length is decoded.
    const char* hexText = pdf.data() + first;
    const std::size_t hexSize = second - first;
    if (hexSize < 2 || hexText[0] != '<' || hexText[hexSize - 1] != '>') {
        check.problem = "the seal's signature is not where its byte range says";
        return check;
    }
    static const auto values = [] {
        std::array<signed char, 256> v{};
        v.fill(-1);
        for (int c = '0'; c <= '9'; ++c)
            v[static_cast<std::size_t>(c)] = static_cast<signed char>(c - '0');
        for (int c = 'a'; c <= 'f'; ++c)
            v[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'a' + 10);
        for (int c = 'A'; c <= 'F'; ++c)
            v[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'A' + 10);
        return v;
    }();
    std::string der;
    std::size_t needed = (hexSize - 2) / 2;
    der.resize(std::min<std::size_t>(needed, 4));
    for (std::size_t i = 0; i < needed; ++i) {
        const int hi = values[static_cast<unsigned char>(hexText[1 + 2 * i])];
        const int lo = values[static_cast<unsigned char>(hexText[2 + 2 * i])];
        if (hi < 0 || lo < 0) {
            check.problem = "the seal's signature is not a hex string";
            return check;
        }
        if (i >= der.size())
            der.resize(i + 1);
        der[i] = static_cast<char>(hi << 4 | lo);
        // Once the DER header (SEQUENCE with a definite length) is known, stop after it.
        if (i == 3 && static_cast<unsigned char>(der[0]) == 0x30 &&
            static_cast<unsigned char>(der[1]) == 0x82) {
            needed = std::min(
                needed, 4 + (static_cast<std::size_t>(static_cast<unsigned char>(der[2])) << 8 |
                             static_cast<unsigned char>(der[3])));
            der.resize(needed);
        }
    }
    der.resize(needed);
    // The signature dictionary's /SubFilter: near its /ByteRange, on either side of /Contents.
    constexpr std::size_t kNear = 2048;
    const auto sf = lastOf(pdf, "/SubFilter", br > kNear ? br - kNear : 0, second + kNear);
    if (sf != std::string::npos) {
        const auto name = pdf.find('/', sf + 1);
        const auto end = pdf.find_first_of(" \r\n/>", name + 1);
        check.subFilter = pdf.substr(name + 1, end - name - 1);
    }

    // SHA-256 of the two signed ranges; the whole file's digest shares the first range.
    unsigned char rangeDigest[EVP_MAX_MD_SIZE];
    unsigned int rangeLen = 0;
    EVP_MD_CTX* ctx = impl_->range.get();
    EVP_DigestInit_ex(ctx, impl_->sha256.get(), nullptr);
    EVP_DigestUpdate(ctx, pdf.data(), first);
    if (fileSha256) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_MD_CTX_copy_ex(impl_->whole.get(), ctx);
        EVP_DigestUpdate(impl_->whole.get(), pdf.data() + first, pdf.size() - first);
        EVP_DigestFinal_ex(impl_->whole.get(), digest, &len);
        *fileSha256 = text::hex(digest, len);
    }
    EVP_DigestUpdate(ctx, pdf.data() + second, secondSize);
    EVP_DigestFinal_ex(ctx, rangeDigest, &rangeLen);

    if (const auto parts = readSignedData(der)) {
        const Impl::Signer* signer = impl_->signer(parts->certificates, parts->signerId);
        if (signer) {
            check.signer = signer->commonName;
            std::string signedAttributes(reinterpret_cast<const char*>(parts->signedAttributes.p),
                                         parts->signedAttributes.n);
            signedAttributes[0] = '\x31';  // signed as a SET OF, stored as [0] IMPLICIT
            unsigned char digest[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            EVP_DigestInit_ex(ctx, impl_->sha256.get(), nullptr);
            EVP_DigestUpdate(ctx, signedAttributes.data(), signedAttributes.size());
            EVP_DigestFinal_ex(ctx, digest, &len);
            if (EVP_PKEY_verify(signer->verify.get(), parts->signature.p, parts->signature.n,
                                digest, len) != 1) {
                check.problem = "the seal's signature does not verify (" + opensslError() + ")";
                return check;
            }
            if (!parts->messageDigest.equals(rangeDigest, rangeLen)) {
                check.problem = "the document was changed after it was sealed (digest mismatch)";
                return check;
            }
            check.valid = true;
            return check;
        }
    }
    return checkCms(check, pdf, range, der, rangeDigest, rangeLen);
}

SealCheck verifySeal(const std::string& pdf) {
    return SealVerifier().check(pdf);
}

}  // namespace avtaleflyt::documents
