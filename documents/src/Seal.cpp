#include "avtaleflyt/documents/Seal.h"

#include "avtaleflyt/documents/Files.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <sys/stat.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
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

std::string readSealFile(const std::string& path) {
    try {
        return readFile(path);
    } catch (const FileError&) {
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

void writeAtomically(const std::string& path, const std::string& content, unsigned mode) {
    try {
        writeFileAtomically(path, content, mode);
    } catch (const FileError& e) {
        throw SealError(e.what());
    }
}

// The last occurrence of `needle` in `text` (glibc's memmem is much faster than
// std::string::rfind, which compares at every position).
std::size_t lastOf(const std::string& text, const char* needle) {
    const std::size_t n = std::strlen(needle);
    if (text.size() < n)
        return std::string::npos;
    for (std::size_t pos = text.size() - n + 1; pos-- > 0;)
        if (text[pos] == needle[0] && std::memcmp(text.data() + pos, needle, n) == 0)
            return pos;
    return std::string::npos;
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
                     const std::string& cn) {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (!key)
        throw SealError("cannot create the seal key: " + opensslError());
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> keyGuard(key, &EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("avtaleflyt"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (!X509_sign(cert.get(), key, EVP_sha256()))
        throw SealError("cannot create the seal certificate: " + opensslError());

    Bio certOut(BIO_new(BIO_s_mem()), &BIO_free), keyOut(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_X509(certOut.get(), cert.get());
    PEM_write_bio_PrivateKey(keyOut.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    writeAtomically(keyPath, bioText(keyOut.get()), 0600);
    writeAtomically(certPath, bioText(certOut.get()), 0644);
}

SealKey SealKey::loadPem(const std::string& certPath, const std::string& keyPath) {
    auto keys = std::make_unique<Keys>();
    const std::string certPem = readSealFile(certPath), keyPem = readSealFile(keyPath);
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

SealKey SealKey::loadPkcs12(const std::string& path, const std::string& password) {
    const std::string der = readSealFile(path);
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

SealCheck verifySeal(const std::string& pdf) {
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
        static_cast<unsigned long long>(r[2] + r[3]) > pdf.size()) {
        check.problem = "the seal's byte range is malformed";
        return check;
    }
    check.wholeDocument = static_cast<unsigned long long>(r[2] + r[3]) == pdf.size();
    // The signature is the hex string between the two signed ranges: <...>, a DER structure
    // padded with zeros. Only the DER's own length is decoded.
    const char* hex = pdf.data() + r[1];
    const std::size_t hexSize = static_cast<std::size_t>(r[2] - r[1]);
    if (hexSize < 2 || hex[0] != '<' || hex[hexSize - 1] != '>') {
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
    der.reserve(std::min<std::size_t>(needed, 8192));
    for (std::size_t i = 0; i < needed; ++i) {
        const int hi = values[static_cast<unsigned char>(hex[1 + 2 * i])];
        const int lo = values[static_cast<unsigned char>(hex[2 + 2 * i])];
        if (hi < 0 || lo < 0) {
            check.problem = "the seal's signature is not a hex string";
            return check;
        }
        der += static_cast<char>(hi << 4 | lo);
        // Once the DER header (SEQUENCE with a definite length) is known, stop after it.
        if (der.size() == 4 && static_cast<unsigned char>(der[0]) == 0x30 &&
            static_cast<unsigned char>(der[1]) == 0x82)
            needed = std::min(
                needed, 4 + (static_cast<std::size_t>(static_cast<unsigned char>(der[2])) << 8 |
                             static_cast<unsigned char>(der[3])));
    }
    const auto sf = lastOf(pdf, "/SubFilter");
    if (sf != std::string::npos) {
        const auto name = pdf.find('/', sf + 1);
        const auto end = pdf.find_first_of(" \r\n/>", name + 1);
        check.subFilter = pdf.substr(name + 1, end - name - 1);
    }
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())), &CMS_ContentInfo_free);
    if (!cms) {
        check.problem = "the seal's signature is not a CMS structure";
        return check;
    }
    // CMS_verify does the same but is ~10x slower (it sets up far more than this needs): check
    // the signer's signature over the signed attributes, then the messageDigest attribute
    // against the digest of the two signed byte ranges.
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
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), md, nullptr);
    EVP_DigestUpdate(ctx.get(), pdf.data(), static_cast<std::size_t>(r[1]));
    EVP_DigestUpdate(ctx.get(), pdf.data() + r[2], static_cast<std::size_t>(r[3]));
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
    if (static_cast<unsigned int>(ASN1_STRING_length(expected)) != len ||
        std::memcmp(ASN1_STRING_get0_data(expected), digest, len) != 0) {
        check.problem = "the document was changed after it was sealed (digest mismatch)";
        return check;
    }
    check.valid = true;
    return check;
}

}  // namespace avtaleflyt::documents
