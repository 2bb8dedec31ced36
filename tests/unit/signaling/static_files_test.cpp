#include "signaling/static_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace switchboard::signaling {
namespace {

TEST(StaticFiles, ServesFilesUnderTheRoot) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"/", "www/index.html"},
        {"/app.js", "www/app.js"},
        {"/css/site.css", "www/css/site.css"},
        {"/docs/", "www/docs/index.html"},
        {"/a//b", "www/a/b"},
        {"/app.js?v=1&x=../..", "www/app.js"},
        {"/?x=1", "www/index.html"},
        {"/page.html#../../etc", "www/page.html"},
        {"/my%20file.txt", "www/my file.txt"},
        {"/caf%C3%A9.html", "www/caf\xC3\xA9.html"},
        {"/x..y/z...", "www/x..y/z..."},
    };
    for (const auto& [target, path] : cases) {
        EXPECT_EQ(resolve_static_path("www", target), std::optional<std::string>(path)) << target;
    }
}

// A temporary tree: root/ with files, and a secret beside it.
class StaticFileOpen : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/sb-static-XXXXXX";
        base_ = mkdtemp(pattern);
        root_ = base_ / "www";
        std::filesystem::create_directories(root_ / "sub");
        write(root_ / "index.html", "hello");
        write(root_ / "big.bin", std::string(1000, 'x'));
        write(base_ / "secret.txt", "secret");
    }
    void TearDown() override { std::filesystem::remove_all(base_); }
    static void write(const std::filesystem::path& p, const std::string& text) {
        std::ofstream(p) << text;
    }
    std::optional<StaticFile> open(const std::string& relative, std::uint64_t max = 1 << 20) {
        return open_static_file(root_.string(), (root_ / relative).string(), max);
    }
    std::filesystem::path base_, root_;
};

TEST_F(StaticFileOpen, ARegularFileInsideOpensWithItsSize) {
    const auto f = open("index.html");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size(), 5u);
    char buf[8] = {};
    EXPECT_EQ(::read(f->fd(), buf, sizeof buf), 5);
    EXPECT_EQ(std::string(buf), "hello");
}

TEST_F(StaticFileOpen, ASymlinkIsFollowedOnlyWhileItStaysInside) {
    std::filesystem::create_symlink(root_ / "index.html", root_ / "sub" / "inside.html");
    std::filesystem::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
    std::filesystem::create_directory_symlink(base_, root_ / "up");
    EXPECT_TRUE(open("sub/inside.html"));
    EXPECT_FALSE(open("leak.txt"));
    EXPECT_FALSE(open("up/secret.txt"));
    // A sibling whose name starts like the root is not inside it.
    std::filesystem::create_directories(base_ / "www2");
    write(base_ / "www2" / "x.html", "x");
    std::filesystem::create_symlink(base_ / "www2" / "x.html", root_ / "sibling.html");
    EXPECT_FALSE(open("sibling.html"));
}

TEST_F(StaticFileOpen, DirectoriesFifosMissingAndOversizedFilesAreRefused) {
    EXPECT_FALSE(open("sub"));
    ASSERT_EQ(::mkfifo((root_ / "pipe").c_str(), 0600), 0);
    EXPECT_FALSE(open("pipe"));  // and it did not block waiting for a writer
    EXPECT_FALSE(open("missing.html"));
    EXPECT_TRUE(open("big.bin", 1000));
    EXPECT_FALSE(open("big.bin", 999));
}

TEST(StaticFiles, RootSpellings) {
    EXPECT_EQ(resolve_static_path("www/", "/a"), "www/a");
    EXPECT_EQ(resolve_static_path("/srv/www//", "/"), "/srv/www/index.html");
    EXPECT_EQ(resolve_static_path("", "/"), std::nullopt);
}

TEST(StaticFiles, RefusesTraversalAndOddTargets) {
    for (std::string_view target : {"/../x",
                                    "/..",
                                    "/a/../../x",
                                    "/a/..",
                                    "/./x",
                                    "/.",
                                    "/%2e%2e/x",
                                    "/%2E%2E/x",
                                    "/.%2e/x",
                                    "/..%2Fx",
                                    "/a%2F..%2F..%2Fx",
                                    "/..\\x",
                                    "/a\\b",
                                    "/%5c..%5cx",
                                    "/a%00.html",
                                    "/%00",
                                    "/.git/config",
                                    "/.env",
                                    "/a/.hidden/b",
                                    "/%2egit/HEAD",
                                    "/%",
                                    "/%2",
                                    "/%zz",
                                    "/%2g",
                                    "",
                                    "x",
                                    "index.html",
                                    "*",
                                    "http://evil/x",
                                    "?/x"}) {
        EXPECT_EQ(resolve_static_path("www", target), std::nullopt) << target;
    }
}

TEST(StaticFiles, PercentDecode) {
    EXPECT_EQ(percent_decode(""), "");
    EXPECT_EQ(percent_decode("a%20b%2fc%2F"), "a b/c/");
    EXPECT_EQ(percent_decode("%41%42"), "AB");
    EXPECT_EQ(percent_decode("+"), "+") << "a path is not a form: '+' stays";
    EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
    EXPECT_EQ(percent_decode("%ff"), "\xff");
    for (std::string_view bad : {"%", "%4", "a%", "%G1", "%1G", "%%41"}) {
        EXPECT_EQ(percent_decode(bad), std::nullopt) << bad;
    }
}

TEST(StaticFiles, ContentTypes) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"www/index.html", "text/html; charset=utf-8"},
        {"a.htm", "text/html; charset=utf-8"},
        {"a.css", "text/css; charset=utf-8"},
        {"a.js", "text/javascript; charset=utf-8"},
        {"a.mjs", "text/javascript; charset=utf-8"},
        {"a.json", "application/json"},
        {"a.svg", "image/svg+xml"},
        {"a.png", "image/png"},
        {"favicon.ico", "image/x-icon"},
        {"a.txt", "text/plain; charset=utf-8"},
        {"site.webmanifest", "application/manifest+json"},
        {"a.wasm", "application/wasm"},
        {"a.min.js", "text/javascript; charset=utf-8"},
        {"a.exe", "application/octet-stream"},
        {"README", "application/octet-stream"},
        {"dir.v1/README", "application/octet-stream"},
        {"a.", "application/octet-stream"},
        {"a.jsx", "application/octet-stream"},
    };
    for (const auto& [path, type] : cases) EXPECT_EQ(content_type_for(path), type) << path;
}

}  // namespace
}  // namespace switchboard::signaling
