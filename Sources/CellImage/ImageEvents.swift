import CellCore
import CellEvents

/// The events image operations record (`cell events`): Docker's image actions, with the name as
/// its attribute where there is one.
public enum ImageEvents {
    public static func record(_ action: String, id: Digest?, name: String?, layout: StoreLayout) {
        EventJournal.record(Event(type: "image", action: action, actorID: id?.description ?? name ?? "",
                                  attributes: name.map { ["name": $0] } ?? [:]), root: layout.root)
    }
}
