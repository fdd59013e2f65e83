#include "merch/common/grpc_tls.hpp"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

#include "merch/common/thread_sanitizer.hpp"

namespace merch {
namespace {

// How often the services reread their certificate files (cert-manager and scripts/pki.sh
// renew weeks before expiry, so a minute is prompt).
constexpr unsigned kRefreshSeconds = 60;

template <class T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* pointer) const { Free(pointer); }
};
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE, X509_STORE_free>>;
using StoreContextPtr =
    std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using ChainPtr =
    std::unique_ptr<STACK_OF(X509),
                    decltype([](STACK_OF(X509) * chain) { sk_X509_pop_free(chain, X509_free); })>;

Error Invalid(const std::string& path, std::string_view problem) {
  return Error{ErrorCode::kInvalidArgument, path + ": " + std::string(problem)};
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(path, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return Invalid(path, "is empty");
  return text.str();
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate of a PEM file, in order; an empty chain when there is none.
ChainPtr ReadCertificates(const std::string& pem) {
  ChainPtr chain(sk_X509_new_null());
  const BioPtr bio = MemoryBio(pem);
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(chain.get(), certificate);
  }
  return chain;
}

std::vector<std::string> DnsNames(X509* certificate) {
  std::vector<std::string> names;
  auto* general_names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (general_names == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(general_names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general_names, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_STRING* value = name->d.dNSName;
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                       static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  GENERAL_NAMES_free(general_names);
  return names;
}

// Lets a call through only when the client's certificate names an identity this server serves.
// The handshake has already verified the certificate against the CA; this runs inline on the
// call's thread (not blocking), once per call.
class IdentityGate final : public grpc::AuthMetadataProcessor {
 public:
  // Built on the caller's thread, used on gRPC's executor threads, which may have started
  // before it (thread_sanitizer.hpp).
  explicit IdentityGate(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {
    thread_sanitizer::Published(this);
  }

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& /*auth_metadata*/, grpc::AuthContext* context,
                       OutputMetadata* /*consumed_auth_metadata*/,
                       OutputMetadata* /*response_metadata*/) override {
    thread_sanitizer::Received(this);
    for (const auto& name : context->FindPropertyValues(GRPC_PEER_DNS_PROPERTY_NAME)) {
      const std::string_view peer(name.data(), name.size());
      if (std::find(allowed_.begin(), allowed_.end(), peer) != allowed_.end()) {
        return grpc::Status::OK;
      }
    }
    return {grpc::StatusCode::PERMISSION_DENIED,
            "this service does not serve the caller's identity"};
  }

 private:
  const std::vector<std::string> allowed_;
};

std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> WatchFiles(
    const TlsIdentity& identity) {
  return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      identity.dir + "/tls.key", identity.dir + "/tls.crt", identity.dir + "/ca.crt",
      kRefreshSeconds);
}

}  // namespace

Result<TlsIdentity> LoadTlsIdentity(const std::string& dir, std::string_view expected_name) {
  const std::string ca_path = dir + "/ca.crt";
  const std::string cert_path = dir + "/tls.crt";
  const std::string key_path = dir + "/tls.key";
  auto ca_pem = ReadFile(ca_path);
  if (!ca_pem) return ca_pem.error();
  auto cert_pem = ReadFile(cert_path);
  if (!cert_pem) return cert_pem.error();
  auto key_pem = ReadFile(key_path);
  if (!key_pem) return key_pem.error();

  const ChainPtr authorities = ReadCertificates(*ca_pem);
  if (sk_X509_num(authorities.get()) == 0) return Invalid(ca_path, "holds no PEM certificate");
  const ChainPtr chain = ReadCertificates(*cert_pem);
  if (sk_X509_num(chain.get()) == 0) return Invalid(cert_path, "holds no PEM certificate");
  X509* certificate = sk_X509_value(chain.get(), 0);
  const BioPtr key_bio = MemoryBio(*key_pem);
  const KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Invalid(key_path, "holds no PEM private key");
  if (X509_check_private_key(certificate, key.get()) != 1) {
    return Invalid(key_path, "is not the key of " + cert_path);
  }

  const StorePtr store(X509_STORE_new());
  for (int i = 0; i < sk_X509_num(authorities.get()); ++i) {
    X509_STORE_add_cert(store.get(), sk_X509_value(authorities.get(), i));
  }
  const StoreContextPtr verify(X509_STORE_CTX_new());
  X509_STORE_CTX_init(verify.get(), store.get(), certificate, chain.get());
  if (X509_verify_cert(verify.get()) != 1) {
    return Invalid(cert_path,
                   std::string("does not verify against ") + ca_path + ": " +
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(verify.get())));
  }

  const std::vector<std::string> names = DnsNames(certificate);
  if (names.size() != 1 || names.front() != expected_name) {
    std::string found;
    for (const auto& name : names) found += (found.empty() ? "" : ", ") + name;
    return Invalid(cert_path, "must name exactly the identity '" + std::string(expected_name) +
                                  "' (DNS subject alternative name), names: " +
                                  (found.empty() ? "none" : found));
  }

  std::tm not_after{};
  ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &not_after);
  return TlsIdentity{
      .dir = dir,
      .name = names.front(),
      .not_after = std::chrono::system_clock::from_time_t(timegm(&not_after)),
  };
}

Result<TlsIdentity> TlsIdentityFromEnv(const Env& env, std::string_view expected_name) {
  auto dir = env.RequiredString("GRPC_TLS_DIR");
  if (!dir) return dir.error();
  auto identity = LoadTlsIdentity(*dir, expected_name);
  if (!identity) {
    return Error{identity.error().code, "GRPC_TLS_DIR: " + identity.error().detail};
  }
  return identity;
}

std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(
    const TlsIdentity& identity, std::vector<std::string> allowed_clients) {
  grpc::experimental::TlsServerCredentialsOptions options(WatchFiles(identity));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  auto credentials = grpc::experimental::TlsServerCredentials(options);
  credentials->SetAuthMetadataProcessor(std::make_shared<IdentityGate>(std::move(allowed_clients)));
  return credentials;
}

std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsIdentity& identity) {
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(WatchFiles(identity));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  // gRPC's default verifier checks that the server's certificate names the target name, which
  // MakeServiceChannel sets to the identity the caller means to reach.
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace merch
