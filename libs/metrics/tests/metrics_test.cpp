// The metrics library against a real gRPC server and a real HTTP scrape of /metrics.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <string>

#include "merch/common/grpc_server.hpp"
#include "merch/metrics/grpc_server_metrics.hpp"
#include "merch/metrics/metrics_server.hpp"
#include "merch/metrics/sampled_gauges.hpp"
#include "merch/testing/grpc_raw.hpp"

namespace merch::metrics {
namespace {

std::string HttpGet(int port, const std::string& path) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string response;
  boost::system::error_code error;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), error);
  return response;
}

TEST(MethodLabels, SplitsServiceAndMethod) {
  EXPECT_EQ(MethodLabels("/merch.v1.DbService/GetProduct"),
            (prometheus::Labels{{"service", "merch.v1.DbService"}, {"method", "GetProduct"}}));
  EXPECT_EQ(MethodLabels("odd"), (prometheus::Labels{{"service", "unknown"}, {"method", "odd"}}));
}

TEST(Metrics, CountsEveryRpcAndServesThemOverHttp) {
  auto registry = std::make_shared<prometheus::Registry>();
  GrpcServerMetrics rpcs(*registry);
  auto sampled = std::make_shared<SampledGauges>();
  double depth = 7;
  sampled->Add("merch_test_depth", "a sampled value", SampledGauges::Kind::kGauge,
               [&depth] { return depth; });

  auto server = StartGrpcServer(
      {.address = "127.0.0.1:0",
       .credentials = grpc::InsecureServerCredentials(),
       .interceptors =
           [&rpcs] {
             std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
                 factories;
             factories.push_back(MakeObservingInterceptorFactory({&rpcs}));
             return factories;
           }},
      {});
  ASSERT_TRUE(server);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server->port),
                                     grpc::InsecureChannelCredentials());
  ASSERT_EQ(merch::testing::HealthCheck(channel), merch::testing::kHealthServing);
  ASSERT_EQ(merch::testing::HealthCheck(channel), merch::testing::kHealthServing);

  auto exposer = MetricsServer::Start("127.0.0.1", 0);
  ASSERT_TRUE(exposer) << exposer.error().detail;
  (*exposer)->Add(registry);
  (*exposer)->Add(sampled);
  ASSERT_GT((*exposer)->Port(), 0);

  depth = 9;
  const std::string body = HttpGet((*exposer)->Port(), "/metrics");
  EXPECT_NE(body.find("200 OK"), std::string::npos) << body;
  EXPECT_NE(body.find("merch_grpc_server_handled_total{code=\"OK\",method=\"Check\","
                      "service=\"grpc.health.v1.Health\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("merch_grpc_server_handling_seconds_count{method=\"Check\","
                      "service=\"grpc.health.v1.Health\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("merch_grpc_server_msg_received_total{method=\"Check\","
                      "service=\"grpc.health.v1.Health\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("merch_test_depth 9"), std::string::npos) << body;
  server->server->Shutdown();
}

TEST(Metrics, AnUnbindablePortIsAnError) {
  auto first = MetricsServer::Start("127.0.0.1", 0);
  ASSERT_TRUE(first);
  auto second = MetricsServer::Start("127.0.0.1", static_cast<std::uint16_t>((*first)->Port()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace merch::metrics
