ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks decoding: the correct code followed by a comment with the bytes 0xff 0xfe, which
# are not UTF-8 (and the file declares no other encoding), so Python cannot read it either.
# Expect: status "error" that names the undecodable byte; 0 points.
# here: ÿþ <- not UTF-8
