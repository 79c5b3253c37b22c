/// Docker-style generated names, `adjective_surname` (surnames of notable scientists and
/// engineers), with a digit appended on a clash as docker does when retrying.
public enum NameGenerator {
    static let adjectives = [
        "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
        "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate", "competent",
        "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted",
        "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting",
        "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gifted",
        "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible",
        "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving",
        "lucid", "magical", "modest", "musing", "mystifying", "naughty", "nervous", "nice", "nifty",
        "nostalgic", "objective", "optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless",
        "quirky", "quizzical", "recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp",
        "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender", "thirsty",
        "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
        "xenodochial", "youthful", "zealous", "zen",
    ]

    static let surnames = [
        "agnesi", "albattani", "allen", "almeida", "antonelli", "archimedes", "ardinghelli", "aryabhata",
        "austin", "babbage", "banach", "banzai", "bardeen", "bartik", "bassi", "beaver", "bell", "benz",
        "bhabha", "bhaskara", "black", "blackburn", "blackwell", "bohr", "booth", "borg", "bose", "bouman",
        "boyd", "brahmagupta", "brattain", "brown", "buck", "burnell", "cannon", "carson", "cartwright",
        "carver", "cerf", "chandrasekhar", "chaplygin", "chatelet", "chatterjee", "chaum", "chebyshev",
        "clarke", "cohen", "colden", "cori", "cray", "curie", "curran", "darwin", "davinci", "dewdney",
        "dhawan", "diffie", "dijkstra", "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein",
        "elbakyan", "elgamal", "elion", "ellis", "engelbart", "euclid", "euler", "faraday", "feistel",
        "fermat", "fermi", "feynman", "franklin", "gagarin", "galileo", "galois", "ganguly", "gates",
        "gauss", "germain", "goldberg", "goldstine", "goldwasser", "golick", "goodall", "gould", "greider",
        "grothendieck", "haibt", "hamilton", "haslett", "hawking", "heisenberg", "hellman", "hermann",
        "herschel", "hertz", "heyrovsky", "hodgkin", "hofstadter", "hoover", "hopper", "hugle", "hypatia",
        "ishizaka", "jackson", "jang", "jemison", "jennings", "jepsen", "johnson", "joliot", "jones",
        "kalam", "kapitsa", "kare", "keldysh", "keller", "kepler", "khayyam", "khorana", "kilby", "kirch",
        "knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lederberg", "lehmann",
        "lewin", "lichterman", "liskov", "lovelace", "lumiere", "mahavira", "margulis", "matsumoto",
        "maxwell", "mayer", "mccarthy", "mcclintock", "mclaren", "mclean", "mcnulty", "meitner", "mendel",
        "mendeleev", "meninsky", "merkle", "mestorf", "mirzakhani", "montalcini", "moore", "morse",
        "moser", "murdock", "napier", "nash", "neumann", "newton", "nightingale", "nobel", "noether",
        "northcutt", "noyce", "panini", "pare", "pascal", "pasteur", "payne", "perlman", "pike", "poincare",
        "poitras", "proskuriakova", "ptolemy", "raman", "ramanujan", "rhodes", "ride", "ritchie",
        "robinson", "roentgen", "rosalind", "rubin", "saha", "sammet", "sanderson", "satoshi", "shamir",
        "shannon", "shaw", "shirley", "shockley", "shtern", "sinoussi", "snyder", "solomon", "spence",
        "stonebraker", "sutherland", "swanson", "swartz", "swirles", "taussig", "tesla", "tharp",
        "thompson", "torvalds", "tu", "turing", "varahamihira", "vaughan", "villani", "visvesvaraya",
        "volhard", "wescoff", "wilbur", "wiles", "williams", "williamson", "wilson", "wing", "wozniak",
        "wright", "wu", "yalow", "yonath", "zhukovsky",
    ]

    /// A random `adjective_surname`; `retry > 0` appends a digit, as docker does after a clash.
    public static func generate(retry: Int = 0) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let name = "\(adjectives.randomElement(using: &generator)!)_\(surnames.randomElement(using: &generator)!)"
            // Steve Wozniak is not boring.
            if name == "boring_wozniak" { continue }
            return retry > 0 ? "\(name)\(Int.random(in: 0..<10, using: &generator))" : name
        }
    }

    /// docker's rule for user-given names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 2, let first = bytes.first else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) }
        return alnum(first) && bytes.dropFirst().allSatisfy { alnum($0) || $0 == 0x5f || $0 == 0x2e || $0 == 0x2d }
    }
}
