#include "src/exclude_matcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <bitset>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <utility>

// Patterns are compiled once into per-component token lists. Matching follows git's dir.c and
// wildmatch.c rule for rule, but instead of wildmatch's recursive backtracking it splits the path at '/'
// (nothing but a '/' in the pattern or a "**" component can match one there) and runs a greedy scan at
// both levels, which bounds every match at O(pattern * path) with no allocation.

namespace strata {
namespace exclude_internal {

struct Token {
  enum class Kind : uint8_t { kLiteral, kAnyByte, kClass, kStar };
  Kind kind = Kind::kLiteral;
  std::string literal;       // kLiteral: a run of bytes matched verbatim
  std::bitset<256> members;  // kClass
};

// One '/'-separated part of a pattern. An `any_depth` part (a "**" between slashes) stands for zero or
// more path components, every other part for exactly one.
struct Component {
  bool any_depth = false;
  std::vector<Token> tokens;
};

struct Pattern {
  // kExact and kSuffix are the overwhelmingly common "node_modules", "build/cache" and "*.o" shapes.
  enum class Kind : uint8_t { kExact, kSuffix, kGlob };
  Kind kind = Kind::kGlob;
  bool negated = false;
  bool dir_only = false;
  // Without a '/' (other than a trailing one) a pattern is tested against the last component only.
  bool basename = false;
  std::string literal;                // kExact: the whole name or path; kSuffix: what follows the leading '*'
  std::vector<Component> components;  // kGlob; exactly one for a basename pattern
};

}  // namespace exclude_internal

namespace {

using exclude_internal::Component;
using exclude_internal::Pattern;
using exclude_internal::Token;

constexpr size_t kNpos = std::string_view::npos;

// Keeps a quoted pattern on the one line a user sees, whatever bytes it holds.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

// git's trim_trailing_spaces(): only ' ' counts (not '\t'), and "\ " protects the space it escapes.
std::string_view TrimTrailingSpaces(std::string_view s) {
  size_t first_trailing = kNpos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ') {
      if (first_trailing == kNpos) first_trailing = i;
      continue;
    }
    first_trailing = kNpos;
    if (s[i] == '\\' && ++i == s.size()) return s;
  }
  return first_trailing == kNpos ? s : s.substr(0, first_trailing);
}

bool IsDigit(unsigned c) { return c >= '0' && c <= '9'; }
bool IsAlpha(unsigned c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsGraph(unsigned c) { return c > 0x20 && c < 0x7f; }

// git's own ctype rather than the C library's: ASCII only, so the locale cannot change a match, and
// "space" without \v and \f.
bool AddNamedClass(std::string_view name, std::bitset<256>* members) {
  static constexpr struct {
    std::string_view name;
    bool (*in)(unsigned c);
  } kClasses[] = {
      {"alnum", [](unsigned c) { return IsDigit(c) || IsAlpha(c); }},
      {"alpha", IsAlpha},
      {"blank", [](unsigned c) { return c == ' ' || c == '\t'; }},
      {"cntrl", [](unsigned c) { return c < 0x20 || c == 0x7f; }},
      {"digit", IsDigit},
      {"graph", IsGraph},
      {"lower", [](unsigned c) { return c >= 'a' && c <= 'z'; }},
      {"print", [](unsigned c) { return c == ' ' || IsGraph(c); }},
      {"punct", [](unsigned c) { return IsGraph(c) && !IsDigit(c) && !IsAlpha(c); }},
      {"space", [](unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }},
      {"upper", [](unsigned c) { return c >= 'A' && c <= 'Z'; }},
      {"xdigit", [](unsigned c) { return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }},
  };
  for (const auto& named : kClasses) {
    if (named.name != name) continue;
    for (unsigned c = 0; c < 256; ++c) {
      if (named.in(c)) members->set(c);
    }
    return true;
  }
  return false;
}

Status Unterminated() { return Status::InvalidArgument("unterminated '['"); }

// Parses the bracket expression at body[*pos] == '[' with the quirks of git's wildmatch(): a ']' right
// after "[" or "[!" is a member, and "[:" without a closing ":]" is a plain '['. A class never has to
// exclude '/' because the text it is tried on never contains one.
Status ParseClass(std::string_view body, size_t* pos, std::bitset<256>* members) {
  size_t i = *pos + 1;
  bool negated = i < body.size() && (body[i] == '!' || body[i] == '^');
  if (negated) ++i;
  unsigned prev = 0;  // the previous single member, which a '-' makes a range start; 0 for none
  for (bool first = true;; first = false) {
    if (i >= body.size()) return Unterminated();
    auto c = static_cast<unsigned char>(body[i]);
    if (c == ']' && !first) {
      ++i;
      break;
    }
    if (c == '\\') {
      if (++i >= body.size()) return Unterminated();
      prev = static_cast<unsigned char>(body[i++]);
      members->set(prev);
    } else if (c == '-' && prev != 0 && i + 1 < body.size() && body[i + 1] != ']') {
      i += 2;
      auto last = static_cast<unsigned char>(body[i - 1]);
      if (last == '\\') {
        if (i >= body.size()) return Unterminated();
        last = static_cast<unsigned char>(body[i++]);
      }
      for (unsigned b = prev; b <= last; ++b) members->set(b);
      prev = 0;
    } else if (c == '[' && i + 1 < body.size() && body[i + 1] == ':') {
      size_t name_start = i + 2;
      size_t close = body.find(']', name_start);
      if (close == kNpos) return Unterminated();
      if (close == name_start || body[close - 1] != ':') {
        members->set('[');
        prev = '[';
        ++i;
      } else {
        std::string_view name = body.substr(name_start, close - 1 - name_start);
        if (!AddNamedClass(name, members)) {
          return Status::InvalidArgument("unknown character class \"[:" + std::string(name) + ":]\"");
        }
        prev = 0;
        i = close + 1;
      }
    } else {
      members->set(c);
      prev = c;
      ++i;
    }
  }
  if (negated) members->flip();
  *pos = i;
  return Status::Ok();
}

void AppendLiteral(std::vector<Token>* tokens, char c) {
  if (tokens->empty() || tokens->back().kind != Token::Kind::kLiteral) tokens->emplace_back();
  tokens->back().literal += c;
}

void AppendToken(std::vector<Token>* tokens, Token::Kind kind) {
  tokens->emplace_back();
  tokens->back().kind = kind;
}

// Splits `body` into components at each '/' (escaped or not, both match only a '/'). For a basename
// pattern there is no '/' and every run of '*' is a plain '*'.
Status ParseBody(std::string_view body, bool basename, std::vector<Component>* comps) {
  comps->emplace_back();
  size_t i = 0;
  while (i < body.size()) {
    std::vector<Token>& tokens = comps->back().tokens;
    char c = body[i];
    if (c == '\\') {
      if (i + 1 == body.size()) return Status::InvalidArgument("ends with an unescaped '\\'");
      c = body[i + 1];
      i += 2;
      if (c == '/') {
        comps->emplace_back();
      } else {
        AppendLiteral(&tokens, c);
      }
    } else if (c == '/') {
      comps->emplace_back();
      ++i;
    } else if (c == '*') {
      size_t run_end = body.find_first_not_of('*', i);
      if (run_end == kNpos) run_end = body.size();
      bool at_component_start = i == 0 || body[i - 1] == '/';
      bool at_end = run_end == body.size();
      bool before_slash = !at_end && body[run_end] == '/';
      bool before_escaped_slash = body.substr(run_end).starts_with("\\/");
      if (!basename && run_end - i >= 2 && at_component_start &&
          (at_end || before_slash || before_escaped_slash)) {
        // wildmatch() tries "**/" as zero directories but not "**\/", and a trailing "/**" needs
        // something after the '/', so those two match at least one component.
        if (!before_slash) {
          AppendToken(&tokens, Token::Kind::kStar);
          comps->emplace_back();
        }
        comps->back().any_depth = true;
      } else {
        AppendToken(&tokens, Token::Kind::kStar);
      }
      i = run_end;
    } else if (c == '?') {
      AppendToken(&tokens, Token::Kind::kAnyByte);
      ++i;
    } else if (c == '[') {
      AppendToken(&tokens, Token::Kind::kClass);
      STRATA_RETURN_IF_ERROR(ParseClass(body, &i, &tokens.back().members));
    } else {
      AppendLiteral(&tokens, c);
      ++i;
    }
  }
  return Status::Ok();
}

// An empty component is literal too: "a//b" matches only the path "a//b", which never occurs.
bool IsLiteral(const std::vector<Token>& tokens) {
  return tokens.empty() || (tokens.size() == 1 && tokens[0].kind == Token::Kind::kLiteral);
}

// `line` is one pattern with comments, blank lines and trailing spaces already dealt with.
Status ParsePattern(std::string_view line, Pattern* p) {
  if (line.find('\0') != kNpos) return Status::InvalidArgument("contains a NUL byte");
  // The order of these steps is git's parse_path_pattern() and match_pathname().
  std::string_view body = line;
  p->negated = body.starts_with('!');
  if (p->negated) body.remove_prefix(1);
  p->dir_only = body.ends_with('/');
  if (p->dir_only) body.remove_suffix(1);
  p->basename = body.find('/') == kNpos;
  if (!p->basename && body.starts_with('/')) body.remove_prefix(1);
  if (body.empty()) return Status::InvalidArgument("has no name to match");
  STRATA_RETURN_IF_ERROR(ParseBody(body, p->basename, &p->components));

  const std::vector<Component>& comps = p->components;
  if (p->basename) {
    const std::vector<Token>& tokens = comps[0].tokens;
    if (tokens.size() == 1 && tokens[0].kind == Token::Kind::kLiteral) {
      p->kind = Pattern::Kind::kExact;
      p->literal = tokens[0].literal;
    } else if (tokens.size() == 2 && tokens[0].kind == Token::Kind::kStar &&
               tokens[1].kind == Token::Kind::kLiteral) {
      p->kind = Pattern::Kind::kSuffix;
      p->literal = tokens[1].literal;
    }
  } else {
    bool exact = true;
    for (const Component& comp : comps) exact = exact && !comp.any_depth && IsLiteral(comp.tokens);
    if (exact) {
      p->kind = Pattern::Kind::kExact;
      for (size_t i = 0; i < comps.size(); ++i) {
        if (i > 0) p->literal += '/';
        if (!comps[i].tokens.empty()) p->literal += comps[i].tokens[0].literal;
      }
    }
  }
  if (p->kind != Pattern::Kind::kGlob) p->components.clear();
  return Status::Ok();
}

Status Compile(std::string_view line, Pattern* p) {
  return ParsePattern(line, p).WithContext("exclude pattern " + Quote(line));
}

// Where text[pos..] may start matching `next`, the token after a '*': skipping ahead to its literal
// saves retrying every byte in between.
size_t NextStart(const Token& next, std::string_view text, size_t pos) {
  if (pos > text.size()) return kNpos;
  return next.kind == Token::Kind::kLiteral ? text.find(next.literal, pos) : pos;
}

// Matches one token other than '*' at text[pos..]; returns its width, or kNpos.
size_t MatchToken(const Token& t, std::string_view text, size_t pos) {
  switch (t.kind) {
    case Token::Kind::kLiteral:
      return text.substr(pos).starts_with(t.literal) ? t.literal.size() : kNpos;
    case Token::Kind::kAnyByte:
      return pos < text.size() ? 1 : kNpos;
    case Token::Kind::kClass:
      return pos < text.size() && t.members[static_cast<unsigned char>(text[pos])] ? 1 : kNpos;
    case Token::Kind::kStar:
      break;
  }
  return kNpos;
}

// Glob match of `text`, which holds no '/'. Every token but '*' has a fixed width, so on a mismatch only
// the latest '*' ever needs to take one more byte: the greedy scan is exact.
bool MatchSegment(const std::vector<Token>& tokens, std::string_view text) {
  size_t t = 0;
  size_t pos = 0;
  size_t star_t = kNpos;  // the token after the latest '*'
  size_t star_pos = 0;    // where the text after that '*' starts for now
  for (;;) {
    if (t < tokens.size() && tokens[t].kind == Token::Kind::kStar) {
      star_t = ++t;
      if (star_t == tokens.size()) return true;
      star_pos = NextStart(tokens[star_t], text, pos);
      if (star_pos == kNpos) return false;
      pos = star_pos;
      continue;
    }
    if (t < tokens.size()) {
      size_t width = MatchToken(tokens[t], text, pos);
      if (width != kNpos) {
        pos += width;
        ++t;
        continue;
      }
    } else if (pos == text.size()) {
      return true;
    }
    if (star_t == kNpos) return false;
    star_pos = NextStart(tokens[star_t], text, star_pos + 1);
    if (star_pos == kNpos) return false;
    pos = star_pos;
    t = star_t;
  }
}

// The same greedy scan one level up: "**" components are to path components what '*' is to bytes.
bool MatchPath(const std::vector<Component>& comps, std::string_view path) {
  const size_t end = path.size() + 1;  // `pos` once every component is consumed
  size_t c = 0;
  size_t pos = 0;  // start of the current path component
  size_t star_c = kNpos;
  size_t star_pos = 0;
  for (;;) {
    if (c < comps.size() && comps[c].any_depth) {
      star_c = ++c;
      if (star_c == comps.size()) return true;
      star_pos = pos;
      continue;
    }
    if (pos < end) {
      size_t slash = path.find('/', pos);
      if (slash == kNpos) slash = path.size();
      if (c < comps.size() && MatchSegment(comps[c].tokens, path.substr(pos, slash - pos))) {
        ++c;
        pos = slash + 1;
        continue;
      }
    } else if (c == comps.size()) {
      return true;
    }
    if (star_c == kNpos || star_pos >= end) return false;
    size_t slash = path.find('/', star_pos);
    star_pos = slash == kNpos ? end : slash + 1;
    pos = star_pos;
    c = star_c;
  }
}

bool Matches(const Pattern& p, std::string_view path, std::string_view base) {
  switch (p.kind) {
    case Pattern::Kind::kExact:
      return (p.basename ? base : path) == p.literal;
    case Pattern::Kind::kSuffix:
      return base.ends_with(p.literal);
    case Pattern::Kind::kGlob:
      return p.basename ? MatchSegment(p.components[0].tokens, base) : MatchPath(p.components, path);
  }
  return false;
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("exclude file " + path, errno);
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Status::FromErrno("exclude file " + path, err);
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return Status::Ok();
}

}  // namespace

ExcludeMatcher::ExcludeMatcher() = default;
ExcludeMatcher::~ExcludeMatcher() = default;
ExcludeMatcher::ExcludeMatcher(ExcludeMatcher&&) noexcept = default;
ExcludeMatcher& ExcludeMatcher::operator=(ExcludeMatcher&&) noexcept = default;

Status ExcludeMatcher::Add(std::string_view pattern) {
  std::string_view line = TrimTrailingSpaces(pattern);
  if (line.empty()) return Status::InvalidArgument("empty exclude pattern " + Quote(pattern));
  if (line.starts_with('#')) {
    return Status::InvalidArgument("exclude pattern " + Quote(line) +
                                   " would be a comment in an exclude file; write \"\\" + std::string(line) +
                                   "\" to match a name starting with '#'");
  }
  Pattern p;
  STRATA_RETURN_IF_ERROR(Compile(line, &p));
  patterns_.push_back(std::move(p));
  return Status::Ok();
}

Status ExcludeMatcher::AddFromFile(const std::string& path) {
  std::string content;
  STRATA_RETURN_IF_ERROR(ReadWholeFile(path, &content));
  return AddFromContent(content, path);
}

Status ExcludeMatcher::AddFromContent(std::string_view content, const std::string& name) {
  std::string_view rest = content;
  // Editors on Windows start files with a BOM, and git ignores it too.
  if (rest.starts_with("\xef\xbb\xbf")) rest.remove_prefix(3);
  std::vector<Pattern> added;
  for (size_t line_no = 1; !rest.empty(); ++line_no) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == kNpos ? rest.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with('#')) continue;
    line = TrimTrailingSpaces(line);
    if (line.empty()) continue;
    Pattern p;
    Status s = Compile(line, &p);
    if (!s.ok()) return s.WithContext(name + ":" + std::to_string(line_no));
    added.push_back(std::move(p));
  }
  patterns_.insert(patterns_.end(), std::make_move_iterator(added.begin()),
                   std::make_move_iterator(added.end()));
  return Status::Ok();
}

bool ExcludeMatcher::Excluded(std::string_view rel_path, bool is_dir) const {
  if (patterns_.empty() || rel_path.empty()) return false;
  size_t slash = rel_path.rfind('/');
  std::string_view base = slash == kNpos ? rel_path : rel_path.substr(slash + 1);
  // The last matching pattern decides, so scan from the end and stop at the first match.
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    if (Matches(*it, rel_path, base)) return !it->negated;
  }
  return false;
}

bool ExcludeMatcher::empty() const { return patterns_.empty(); }

}  // namespace strata
